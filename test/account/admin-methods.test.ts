// com.atproto.admin.* account and invite methods (10 §6) and net.openfederation.admin.createAccount on a real server:
// views, updates, every refusal with nothing written, roles per 01 §11.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { approvedUser, call, invite, ok, PASSWORD, register, startEnv, uniq, type Env } from "./_support.ts";

let e: Env;
let mod: Awaited<ReturnType<typeof approvedUser>>;
let auditor: Awaited<ReturnType<typeof approvedUser>>;
beforeAll(async () => {
  e = await startEnv();
  mod = await staffUser("moderator");
  auditor = await staffUser("auditor");
});
afterAll(() => e?.stop());

const NEW_PASSWORD = "Another-horse-42";
const UNKNOWN = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa";

async function staffUser(role: string) {
  const u = await approvedUser(e);
  await ok(call(e.url, "net.openfederation.account.updateRoles", { token: e.admin.accessJwt, body: { did: u.did, addRoles: [role] } }));
  return u;
}

const login = (identifier: string, password = PASSWORD) => call(e.url, "com.atproto.server.createSession", { body: { identifier, password } });
const row = async (did: string) => (await e.sql<{ name: string | null; email: string; hash: string; status: string }>("SELECT name, email, password_hash AS hash, status FROM accounts WHERE did = ?", did))[0]!;
const auditCount = async () => (await e.sql<{ n: number }>("SELECT count(*) AS n FROM audit_log"))[0]!.n;
const liveSessions = async (did: string) => (await e.sql<{ n: number }>("SELECT count(*) AS n FROM sessions WHERE did = ? AND revoked_at IS NULL", did))[0]!.n;
const lastSeq = async () => (await e.sql<{ s: number }>("SELECT COALESCE(MAX(seq), 0) AS s FROM repo_events"))[0]!.s;
const auditOf = async (action: string, did: string) =>
  (await e.sql<{ actor: string; meta: string }>("SELECT actor_did AS actor, meta FROM audit_log WHERE action = ? AND target_did = ? ORDER BY id", action, did)).map((r) => ({ actor: r.actor, meta: JSON.parse(r.meta) }));

/** getAccountInfos takes `dids` repeated in the query string. */
async function infos(token: string, dids: string[]) {
  const qs = new URLSearchParams(dids.map((d) => ["dids", d]));
  const res = await fetch(`${e.url}/xrpc/com.atproto.admin.getAccountInfos?${qs}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as any };
}

describe("getAccountInfo / getAccountInfos", () => {
  test("the admin view with accountStatus and roles; invitedBy is the code used, invites the codes created", async () => {
    const code = await invite(e);
    const name = uniq();
    const reg = await ok(call(e.url, "net.openfederation.account.register", { body: { handle: name, email: `${name}@example.org`, password: PASSWORD, inviteCode: code } }));
    const info = await ok(call(e.url, "com.atproto.admin.getAccountInfo", { token: e.admin.accessJwt, params: { did: reg.did } }));
    expect(info).toMatchObject({ did: reg.did, handle: `${name}.test`, email: `${name}@example.org`, invitesDisabled: false, invites: [], accountStatus: "pending", roles: ["user"] });
    expect(Date.parse(info.indexedAt)).toBeGreaterThan(0);
    expect(info.invitedBy).toMatchObject({ code, available: 0, disabled: false, createdBy: e.admin.did, forAccount: e.admin.did, uses: [{ usedBy: reg.did }] });
    const adminInfo = await ok(call(e.url, "com.atproto.admin.getAccountInfo", { token: auditor.accessJwt, params: { did: e.admin.did } }));
    expect(adminInfo.roles).toEqual(["admin", "auditor", "moderator", "partner-manager", "user"]);
    expect(adminInfo.accountStatus).toBe("approved");
    expect(adminInfo.invites.map((i: any) => i.code)).toContain(code);
  });

  test("a deactivated account shows deactivatedAt", async () => {
    const u = await approvedUser(e);
    await ok(call(e.url, "com.atproto.server.deactivateAccount", { token: u.accessJwt, body: {} }));
    const info = await ok(call(e.url, "com.atproto.admin.getAccountInfo", { token: mod.accessJwt, params: { did: u.did } }));
    expect(info.accountStatus).toBe("deactivated");
    expect(Date.parse(info.deactivatedAt)).toBeGreaterThan(0);
  });

  test("getAccountInfos with one unknown DID returns one info, in the order asked", async () => {
    const a = await approvedUser(e);
    const r = await infos(e.admin.accessJwt, [a.did, UNKNOWN]);
    expect(r.status).toBe(200);
    expect(r.body.infos.map((i: any) => i.did)).toEqual([a.did]);
    const two = await infos(auditor.accessJwt, [mod.did, a.did, mod.did]);
    expect(two.body.infos.map((i: any) => i.did)).toEqual([mod.did, a.did]);
    const tooMany = await infos(e.admin.accessJwt, Array.from({ length: 101 }, () => UNKNOWN));
    expect([tooMany.status, tooMany.body.error]).toEqual([400, "InvalidRequest"]);
  });

  test("unknown DID → 404 NotFound; a plain user → 403; no token → 401", async () => {
    const u = await approvedUser(e);
    const nf = await call(e.url, "com.atproto.admin.getAccountInfo", { token: e.admin.accessJwt, params: { did: UNKNOWN } });
    expect([nf.status, nf.body.error]).toEqual([404, "NotFound"]);
    const user = await call(e.url, "com.atproto.admin.getAccountInfo", { token: u.accessJwt, params: { did: u.did } });
    expect([user.status, user.body.error]).toEqual([403, "Forbidden"]);
    const anon = await call(e.url, "com.atproto.admin.getAccountInfo", { params: { did: u.did } });
    expect([anon.status, anon.body.error]).toEqual([401, "AuthRequired"]);
    const userInfos = await infos(u.accessJwt, [u.did]);
    expect([userInfos.status, userInfos.body.error]).toEqual([403, "Forbidden"]);
  });
});

describe("updateAccountPassword", () => {
  test("sets the password, revokes every session of the target (old token → 401), the new password logs in, audit byStaff", async () => {
    const u = await approvedUser(e);
    await ok(login(u.name)); // a second session
    expect(await liveSessions(u.did)).toBe(2);
    await ok(call(e.url, "com.atproto.admin.updateAccountPassword", { token: e.admin.accessJwt, body: { did: u.did, password: NEW_PASSWORD } }));
    expect(await liveSessions(u.did)).toBe(0);
    const old = await call(e.url, "com.atproto.server.getSession", { token: u.accessJwt });
    expect([old.status, old.body.error]).toEqual([401, "InvalidToken"]);
    const refresh = await call(e.url, "com.atproto.server.refreshSession", { token: u.refreshJwt, body: {} });
    expect(refresh.status).toBe(401);
    expect((await login(u.name)).status).toBe(401);
    expect((await login(u.name, NEW_PASSWORD)).status).toBe(200);
    expect(await auditOf("account.password.change", u.did)).toEqual([{ actor: e.admin.did, meta: { byStaff: true } }]);
  });

  test("clears the target's lockout", async () => {
    const u = await approvedUser(e);
    for (let i = 0; i < 5; i++) await login(u.name, "Wrong-password-1");
    expect((await login(u.name)).body.error).toBe("AccountLocked");
    await ok(call(e.url, "com.atproto.admin.updateAccountPassword", { token: e.admin.accessJwt, body: { did: u.did, password: NEW_PASSWORD } }));
    expect((await login(u.name, NEW_PASSWORD)).status).toBe(200);
  });
});

describe("updateAccountEmail", () => {
  test("by DID or handle; normalised; audit byStaff; the new address logs in", async () => {
    const u = await approvedUser(e);
    const email = `${uniq("new")}@Example.ORG`;
    await ok(call(e.url, "com.atproto.admin.updateAccountEmail", { token: e.admin.accessJwt, body: { account: u.did, email: ` ${email} ` } }));
    expect((await row(u.did)).email).toBe(email.toLowerCase());
    expect((await login(email.toLowerCase())).status).toBe(200);
    const email2 = `${uniq("h")}@example.org`;
    await ok(call(e.url, "com.atproto.admin.updateAccountEmail", { token: e.admin.accessJwt, body: { account: `${u.name}.test`, email: email2 } }));
    expect((await row(u.did)).email).toBe(email2);
    expect(await auditOf("account.email.update", u.did)).toEqual([{ actor: e.admin.did, meta: { byStaff: true } }, { actor: e.admin.did, meta: { byStaff: true } }]);
  });
});

describe("updateAccountHandle", () => {
  test("moves the target through PLC, #identity, audit {old, new, byStaff}; the old name is free", async () => {
    const u = await approvedUser(e);
    const next = uniq("moved");
    const seq = await lastSeq();
    await ok(call(e.url, "com.atproto.admin.updateAccountHandle", { token: e.admin.accessJwt, body: { did: u.did, handle: `${next}.test` } }));
    expect((await row(u.did)).name).toBe(next);
    const doc = (await (await fetch(`${e.pds.plcUrl}/${u.did}/data`)).json()) as { alsoKnownAs: string[] };
    expect(doc.alsoKnownAs).toEqual([`at://${next}.test`]);
    expect(await e.sql("SELECT type FROM repo_events WHERE seq > ? AND did = ?", seq, u.did)).toEqual([{ type: "#identity" }]);
    expect(await auditOf("account.handle.update", u.did)).toEqual([{ actor: e.admin.did, meta: { old: `${u.name}.test`, new: `${next}.test`, byStaff: true } }]);
    const resolved = await ok(call(e.url, "com.atproto.identity.resolveHandle", { params: { handle: `${next}.test` } }));
    expect(resolved.did).toBe(u.did);
    // staff changes do not use up the holder's own 5/day allowance: five more, then the holder still may
    for (let i = 0; i < 5; i++) await ok(call(e.url, "com.atproto.admin.updateAccountHandle", { token: e.admin.accessJwt, body: { did: u.did, handle: `${next}-${i}.test` } }));
    expect((await row(u.did)).name).toBe(`${next}-4`);
    const s = await ok(login(`${next}-4`));
    await ok(call(e.url, "com.atproto.identity.updateHandle", { token: s.accessJwt, body: { handle: `${u.name}.test` } }));
    expect((await row(u.did)).name).toBe(u.name);
  });
});

describe("refusals of the three updates: exact status and error, nothing written", () => {
  test("table", async () => {
    const u = await approvedUser(e);
    const other = await approvedUser(e);
    const admin2 = await staffUser("admin");
    const pending = await register(e);
    const snapshot = async () => ({ audit: await auditCount(), seq: await lastSeq(), u: await row(u.did), admin2: await row(admin2.did), sessions: await liveSessions(u.did), adminSessions: await liveSessions(admin2.did) });
    const before = await snapshot();
    const H = "com.atproto.admin.updateAccountHandle", M = "com.atproto.admin.updateAccountEmail", P = "com.atproto.admin.updateAccountPassword";
    const cases: Array<[string, string, string, Record<string, unknown>, number, string]> = [
      ["moderator password", mod.accessJwt, P, { did: u.did, password: NEW_PASSWORD }, 403, "Forbidden"],
      ["moderator email", mod.accessJwt, M, { account: u.did, email: "x1@example.org" }, 403, "Forbidden"],
      ["moderator handle", mod.accessJwt, H, { did: u.did, handle: `${uniq()}.test` }, 403, "Forbidden"],
      ["auditor password", auditor.accessJwt, P, { did: u.did, password: NEW_PASSWORD }, 403, "Forbidden"],
      ["user on itself", u.accessJwt, P, { did: u.did, password: NEW_PASSWORD }, 403, "Forbidden"],
      ["no token", "", P, { did: u.did, password: NEW_PASSWORD }, 401, "AuthRequired"],
      ["admin target password", e.admin.accessJwt, P, { did: admin2.did, password: NEW_PASSWORD }, 403, "Forbidden"],
      ["admin target email", e.admin.accessJwt, M, { account: admin2.did, email: "x2@example.org" }, 403, "Forbidden"],
      ["admin target handle", e.admin.accessJwt, H, { did: admin2.did, handle: `${uniq()}.test` }, 403, "Forbidden"],
      ["own admin account", e.admin.accessJwt, P, { did: e.admin.did, password: NEW_PASSWORD }, 403, "Forbidden"],
      ["unknown password", e.admin.accessJwt, P, { did: UNKNOWN, password: NEW_PASSWORD }, 404, "NotFound"],
      ["unknown email", e.admin.accessJwt, M, { account: "nobody-here.test", email: "x3@example.org" }, 404, "NotFound"],
      ["unknown handle", e.admin.accessJwt, H, { did: UNKNOWN, handle: `${uniq()}.test` }, 404, "NotFound"],
      ["weak password", e.admin.accessJwt, P, { did: u.did, password: "short" }, 400, "InvalidRequest"],
      ["bad email", e.admin.accessJwt, M, { account: u.did, email: "not-an-email" }, 400, "InvalidRequest"],
      ["email in use", e.admin.accessJwt, M, { account: u.did, email: `${other.name}@EXAMPLE.org` }, 400, "InvalidRequest"],
      ["reserved handle", e.admin.accessJwt, H, { did: u.did, handle: "support.test" }, 400, "InvalidRequest"],
      ["taken handle", e.admin.accessJwt, H, { did: u.did, handle: `${other.name}.test` }, 400, "HandleNotAvailable"],
      ["community-style bad name", e.admin.accessJwt, H, { did: u.did, handle: "a--b.test" }, 400, "InvalidRequest"],
      ["external handle not resolving", e.admin.accessJwt, H, { did: u.did, handle: "elsewhere.example.com" }, 400, "HandleNotAvailable"],
      ["missing password", e.admin.accessJwt, P, { did: u.did }, 400, "InvalidRequest"],
    ];
    for (const [what, token, nsid, body, status, error] of cases) {
      const r = await call(e.url, nsid, { ...(token ? { token } : {}), body });
      expect({ what, status: r.status, error: r.body?.error }).toEqual({ what, status, error });
    }
    expect(await snapshot()).toEqual(before);
    // a pending (not yet approved) account is a valid target; an email already its own is a no-op
    await ok(call(e.url, "com.atproto.admin.updateAccountEmail", { token: e.admin.accessJwt, body: { account: pending.did, email: pending.email } }));
    expect(await auditCount()).toBe(before.audit);
  });
});

describe("getInviteCodes / disableInviteCodes", () => {
  test("recent and usage sorts page without loss or repeats; the inviteCode view", async () => {
    const codes: string[] = [];
    for (let i = 0; i < 4; i++) codes.push(await invite(e, { maxUses: 5 }));
    // spend two uses of codes[1], one of codes[2]
    for (const c of [codes[1], codes[1], codes[2]]) {
      const n = uniq();
      await ok(call(e.url, "net.openfederation.account.register", { body: { handle: n, email: `${n}@example.org`, password: PASSWORD, inviteCode: c } }));
    }
    const all = async (sort: string, token: string) => {
      const seen: any[] = [];
      let cursor: string | undefined;
      do {
        const page = await ok(call(e.url, "com.atproto.admin.getInviteCodes", { token, params: { sort, limit: 2, ...(cursor ? { cursor } : {}) } }));
        expect(page.codes.length).toBeLessThanOrEqual(2);
        seen.push(...page.codes);
        cursor = page.cursor;
      } while (cursor);
      return seen;
    };
    const total = (await e.sql<{ n: number }>("SELECT count(*) AS n FROM invites"))[0]!.n;
    const recent = await all("recent", auditor.accessJwt);
    expect(recent.length).toBe(total);
    expect(new Set(recent.map((c) => c.code)).size).toBe(total);
    expect(recent.slice(0, 4).map((c) => c.code)).toEqual([...codes].reverse());
    const usage = await all("usage", mod.accessJwt);
    expect(usage.length).toBe(total);
    expect(new Set(usage.map((c) => c.code)).size).toBe(total);
    const counts = usage.map((c) => c.uses.length);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    const v1 = usage.find((c) => c.code === codes[1]);
    expect(v1).toMatchObject({ code: codes[1], available: 3, disabled: false, createdBy: e.admin.did, forAccount: e.admin.did });
    expect(v1.uses).toHaveLength(2);
    const bad = await call(e.url, "com.atproto.admin.getInviteCodes", { token: e.admin.accessJwt, params: { cursor: "garbage" } });
    expect([bad.status, bad.body.error]).toEqual([400, "InvalidRequest"]);
    const tooBig = await call(e.url, "com.atproto.admin.getInviteCodes", { token: e.admin.accessJwt, params: { limit: 501 } });
    expect([tooBig.status, tooBig.body.error]).toEqual([400, "InvalidRequest"]);
    const u = await approvedUser(e);
    const user = await call(e.url, "com.atproto.admin.getInviteCodes", { token: u.accessJwt });
    expect([user.status, user.body.error]).toEqual([403, "Forbidden"]);
  });

  test("disable by code and by account: one invite.revoke row per code, idempotent, the codes no longer register; auditor refused", async () => {
    const c1 = await invite(e);
    const c2 = await invite(e);
    // codes created by a moderator, disabled through `accounts`
    const m1 = (await ok(call(e.url, "net.openfederation.invite.create", { token: mod.accessJwt, body: {} }))).code;
    const m2 = (await ok(call(e.url, "net.openfederation.invite.create", { token: mod.accessJwt, body: {} }))).code;
    const revokedRows = async () => (await e.sql<{ code: string }>("SELECT target_id AS code FROM audit_log WHERE action = 'invite.revoke' ORDER BY id")).map((r) => r.code);
    const snapshot = { audit: await auditCount(), revoked: await e.sql("SELECT count(*) AS n FROM invites WHERE revoked_at IS NOT NULL") };
    const refused = await call(e.url, "com.atproto.admin.disableInviteCodes", { token: auditor.accessJwt, body: { codes: [c1] } });
    expect([refused.status, refused.body.error]).toEqual([403, "Forbidden"]);
    expect({ audit: await auditCount(), revoked: await e.sql("SELECT count(*) AS n FROM invites WHERE revoked_at IS NOT NULL") }).toEqual(snapshot);

    const before = (await revokedRows()).length;
    await ok(call(e.url, "com.atproto.admin.disableInviteCodes", { token: mod.accessJwt, body: { codes: [c1, "no-such-code"], accounts: [mod.did] } }));
    expect((await revokedRows()).slice(before).sort()).toEqual([c1, m1, m2].sort());
    // again, plus c2: only c2 is new
    await ok(call(e.url, "com.atproto.admin.disableInviteCodes", { token: e.admin.accessJwt, body: { codes: [c1, c2], accounts: [mod.did] } }));
    expect((await revokedRows()).slice(before + 3)).toEqual([c2]);
    const n = uniq();
    const reg = await call(e.url, "net.openfederation.account.register", { body: { handle: n, email: `${n}@example.org`, password: PASSWORD, inviteCode: m1 } });
    expect([reg.status, reg.body.error]).toEqual([403, "InviteInvalid"]);
    const view = (await ok(call(e.url, "com.atproto.admin.getInviteCodes", { token: e.admin.accessJwt, params: { limit: 500 } }))).codes.find((c: any) => c.code === c2);
    expect(view).toMatchObject({ disabled: true, available: 0 });
  });
});

describe("net.openfederation.admin.createAccount", () => {
  test("an admin creates an approved account with roles (no invite); it logs in; audit account.register createdVia admin", async () => {
    const name = uniq("made");
    const r = await ok(call(e.url, "net.openfederation.admin.createAccount", { token: e.admin.accessJwt, body: { handle: name, email: `${name}@example.org`, password: PASSWORD, roles: ["moderator"] } }));
    expect(r).toMatchObject({ handle: `${name}.test`, email: `${name}@example.org`, status: "approved", roles: ["moderator", "user"] });
    expect(r.did).toStartWith("did:plc:");
    expect(r.primaryRotationKey.didKey).toStartWith("did:key:");
    expect((await row(r.did)).status).toBe("approved");
    expect(await e.sql("SELECT created_via AS v, approved_by AS by FROM accounts WHERE did = ?", r.did)).toEqual([{ v: "admin", by: e.admin.did }]);
    expect(await auditOf("account.register", r.did)).toEqual([{ actor: e.admin.did, meta: { createdVia: "admin", roles: ["user", "moderator"] } }]);
    expect((await login(name)).status).toBe(200);
    // the repo exists and is announced: describeRepo answers
    expect((await ok(call(e.url, "com.atproto.repo.describeRepo", { params: { repo: r.did } }))).handle).toBe(`${name}.test`);
  });

  test("refusals: non-admin 403, reserved name, weak password, unknown role, taken handle — nothing created", async () => {
    const taken = await approvedUser(e);
    const count = async () => (await e.sql<{ n: number }>("SELECT count(*) AS n FROM accounts"))[0]!.n;
    const before = { accounts: await count(), audit: await auditCount() };
    const name = uniq("x");
    const body = { handle: name, email: `${name}@example.org`, password: PASSWORD };
    const cases: Array<[string, string, Record<string, unknown>, number, string]> = [
      ["moderator", mod.accessJwt, body, 403, "Forbidden"],
      ["user", taken.accessJwt, body, 403, "Forbidden"],
      ["reserved", e.admin.accessJwt, { ...body, handle: "support" }, 400, "InvalidRequest"],
      ["weak", e.admin.accessJwt, { ...body, password: "weak" }, 400, "InvalidRequest"],
      ["role", e.admin.accessJwt, { ...body, roles: ["superuser"] }, 400, "InvalidRequest"],
      ["taken", e.admin.accessJwt, { ...body, handle: taken.name }, 409, "AccountExists"],
      ["email taken", e.admin.accessJwt, { ...body, email: `${taken.name}@example.org` }, 409, "AccountExists"],
      ["undeclared field", e.admin.accessJwt, { ...body, inviteCode: "x" }, 400, "InvalidRequest"],
    ];
    for (const [what, token, b, status, error] of cases) {
      const r = await call(e.url, "net.openfederation.admin.createAccount", { token, body: b });
      expect({ what, status: r.status, error: r.body?.error }).toEqual({ what, status, error });
    }
    expect({ accounts: await count(), audit: await auditCount() }).toEqual(before);
  });
});

test("restricted sessions never reach staff methods: a disabled moderator's allowTakendown session", async () => {
  const m = await staffUser("moderator");
  await ok(call(e.url, "net.openfederation.account.disable", { token: e.admin.accessJwt, body: { did: m.did } }));
  const restricted = await ok(call(e.url, "com.atproto.server.createSession", { body: { identifier: m.name, password: PASSWORD, allowTakendown: true } }));
  const before = await auditCount();
  const r = await call(e.url, "com.atproto.admin.getAccountInfo", { token: restricted.accessJwt, params: { did: e.admin.did } });
  expect([r.status, r.body.error]).toEqual([403, "AccountDisabled"]);
  const d = await call(e.url, "com.atproto.admin.disableInviteCodes", { token: restricted.accessJwt, body: { accounts: [e.admin.did] } });
  expect([d.status, d.body.error]).toEqual([403, "AccountDisabled"]);
  expect(await auditCount()).toBe(before);
});
