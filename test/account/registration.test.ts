// Registration, invites, approval/rejection, roles and admin-method access against a real server and embedded PLC.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { approvedUser, call, invite, ok, PASSWORD, register, startEnv, uniq, type Env } from "./_support.ts";

let e: Env;
beforeAll(async () => {
  e = await startEnv();
});
afterAll(async () => {
  await e?.stop();
});

const PW_MSG = "Password must be 10-128 characters and contain at least 3 of: lowercase, uppercase, digit, special character";
const counts = async () => ({
  accounts: (await e.sql<{ n: number }>("SELECT count(*) AS n FROM accounts"))[0]!.n,
  uses: (await e.sql<{ n: number }>("SELECT count(*) AS n FROM invite_uses"))[0]!.n,
  audit: (await e.sql<{ n: number }>("SELECT count(*) AS n FROM audit_log WHERE action = 'account.register'"))[0]!.n,
});

async function expectRejected(body: Record<string, unknown>, status: number, error: string, message?: string) {
  const before = await counts();
  const r = await call(e.url, "net.openfederation.account.register", { body });
  expect({ status: r.status, error: r.body?.error }).toEqual({ status, error });
  if (message) expect(r.body.message).toBe(message);
  expect(await counts()).toEqual(before);
}

describe("input rules", () => {
  const handleCases: Array<[string, string]> = [
    ["ab", "Handle must be 3-30 characters"],
    ["a".repeat(31), "Handle must be 3-30 characters"],
    ["-ab", "Handle cannot start or end with a hyphen or contain consecutive hyphens"],
    ["ab-", "Handle cannot start or end with a hyphen or contain consecutive hyphens"],
    ["a--b", "Handle cannot start or end with a hyphen or contain consecutive hyphens"],
    ["Ab_c", "Handle may contain only lowercase letters, digits and hyphens"],
    ["admin", "Handle is reserved"],
    ["no-reply", "Handle is reserved"],
    ["www", "Handle is reserved"],
    ["plc.test", "Handle is reserved"],
  ];
  for (const [handle, message] of handleCases) {
    test(`handle ${JSON.stringify(handle)} → 400`, async () => {
      const code = await invite(e);
      await expectRejected({ handle, email: `${uniq()}@example.org`, password: PASSWORD, inviteCode: code }, 400, "InvalidRequest", message);
    });
  }

  const pwCases = ["Short1!", "Aa1!".repeat(33) + "x", "alllowercase123"];
  for (const password of pwCases) {
    test(`password of ${[...password].length} chars (${password.slice(0, 12)}…) → 400 with the exact message`, async () => {
      const code = await invite(e);
      await expectRejected({ handle: uniq(), email: `${uniq()}@example.org`, password, inviteCode: code }, 400, "InvalidRequest", PW_MSG);
    });
  }

  test("a space counts as special: `alllowercase 123` is accepted", async () => {
    const name = uniq();
    const code = await invite(e);
    const reg = await ok(call(e.url, "net.openfederation.account.register", { body: { handle: name, email: `${name}@example.org`, password: "alllowercase 123", inviteCode: code } }));
    expect([reg.handle, reg.status]).toEqual([`${name}.test`, "pending"]);
  });

  for (const email of ["no-at-sign", "a@nodot", "a b@example.org", "a@-x.org", `${"a".repeat(250)}@x.org`]) {
    test(`email ${email.slice(0, 20)} → 400`, async () => {
      const code = await invite(e);
      await expectRejected({ handle: uniq(), email, password: PASSWORD, inviteCode: code }, 400, "InvalidRequest");
    });
  }

  test("`alice` and `ALICE.test` are the same name; a duplicate email → 409 AccountExists", async () => {
    const name = uniq("al");
    const reg = await register(e, name);
    expect(reg).toMatchObject({ handle: `${name}.test`, email: `${name}@example.org`, status: "pending" });
    expect(reg.did).toStartWith("did:plc:");
    expect(reg.primaryRotationKey.curve).toBe("secp256k1");
    expect(reg.primaryRotationKey.didKey).toStartWith("did:key:");
    await expectRejected({ handle: `${name.toUpperCase()}.TEST`, email: `${uniq()}@example.org`, password: PASSWORD, inviteCode: await invite(e) }, 409, "AccountExists");
    await expectRejected({ handle: uniq(), email: ` ${name.toUpperCase()}@EXAMPLE.org `, password: PASSWORD, inviteCode: await invite(e) }, 409, "AccountExists");
  });
});

describe("invites", () => {
  test("missing, unknown, revoked, expired, exhausted, bound → the spec's names, nothing written", async () => {
    const base = () => ({ handle: uniq(), email: `${uniq()}@example.org`, password: PASSWORD });
    await expectRejected(base(), 403, "InviteRequired");
    await expectRejected({ ...base(), inviteCode: "doesnotexist0000" }, 403, "InviteInvalid");
    const revoked = await invite(e);
    await ok(call(e.url, "net.openfederation.invite.revoke", { token: e.admin.accessJwt, body: { code: revoked } }));
    await expectRejected({ ...base(), inviteCode: revoked }, 403, "InviteInvalid");
    const expiring = await invite(e, { expiresAt: new Date(Date.now() + 60_000).toISOString() });
    e.pds.advanceClock(60_000);
    await expectRejected({ ...base(), inviteCode: expiring }, 403, "InviteExpired");
    const once = await invite(e);
    const name = uniq();
    await ok(call(e.url, "net.openfederation.account.register", { body: { handle: name, email: `${name}@example.org`, password: PASSWORD, inviteCode: once } }));
    await expectRejected({ ...base(), inviteCode: once }, 403, "InviteUsed");
    const bound = await invite(e, { boundTo: "Someone@Example.org" });
    await expectRejected({ ...base(), inviteCode: bound }, 403, "InviteBound");
    const bn = uniq();
    await ok(call(e.url, "net.openfederation.account.register", { body: { handle: bn, email: "someone@example.org", password: PASSWORD, inviteCode: bound } }));
  });

  test("an expired AND exhausted code reports InviteExpired (spec order)", async () => {
    const code = await invite(e, { expiresAt: new Date(Date.now() + 120_000).toISOString() });
    const n = uniq();
    await ok(call(e.url, "net.openfederation.account.register", { body: { handle: n, email: `${n}@example.org`, password: PASSWORD, inviteCode: code } }));
    e.pds.advanceClock(120_000);
    await expectRejected({ handle: uniq(), email: `${uniq()}@example.org`, password: PASSWORD, inviteCode: code }, 403, "InviteExpired");
  });

  test("a maxUses=1 invite used by two concurrent registrations → exactly one succeeds", async () => {
    const code = await invite(e);
    const [a, b] = [uniq(), uniq()];
    const replies = await Promise.all(
      [a, b].map((n) => call(e.url, "net.openfederation.account.register", { body: { handle: n, email: `${n}@example.org`, password: PASSWORD, inviteCode: code } })),
    );
    expect(replies.map((r) => r.status).sort()).toEqual([200, 403]);
    expect(replies.find((r) => r.status === 403)!.body.error).toBe("InviteUsed");
    expect(await e.sql("SELECT uses_count FROM invites WHERE code = ?", code)).toEqual([{ uses_count: 1 }]);
    expect(await e.sql("SELECT count(*) AS n FROM invite_uses WHERE code = ?", code)).toEqual([{ n: 1 }]);
  });

  test("invite.create validation and invite.list filters", async () => {
    for (const body of [{ maxUses: 0 }, { maxUses: -1 }, { maxUses: 1.5 }, { maxUses: 1001 }, { expiresAt: "2001-01-01T00:00:00.000Z" }, { expiresAt: "yesterday" }, { boundTo: "bad" }, { expiresAt: new Date(Date.now() + 400 * 86_400_000).toISOString() }]) {
      const r = await call(e.url, "net.openfederation.invite.create", { token: e.admin.accessJwt, body });
      expect({ body, status: r.status, error: r.body.error }).toEqual({ body, status: 400, error: "InvalidRequest" });
    }
    const created = await ok(call(e.url, "net.openfederation.invite.create", { token: e.admin.accessJwt, body: { maxUses: 3, note: "for friends" } }));
    expect(created).toMatchObject({ maxUses: 3, usesCount: 0, note: "for friends", status: "active" });
    expect(created.code).toMatch(/^i[A-Za-z0-9_-]{16}$/);
    const active = await ok(call(e.url, "net.openfederation.invite.list", { token: e.admin.accessJwt, params: { status: "active", limit: 100 } }));
    expect(active.invites.map((i: any) => i.code)).toContain(created.code);
    expect(active.invites[0].createdByHandle).toBe("admin.test");
    const revoked = await ok(call(e.url, "net.openfederation.invite.list", { token: e.admin.accessJwt, params: { status: "revoked" } }));
    expect(revoked.invites.every((i: any) => i.status === "revoked")).toBe(true);
    const page = await ok(call(e.url, "net.openfederation.invite.list", { token: e.admin.accessJwt, params: { limit: 2 } }));
    expect(page.invites).toHaveLength(2);
    const next = await ok(call(e.url, "net.openfederation.invite.list", { token: e.admin.accessJwt, params: { limit: 2, cursor: page.cursor } }));
    expect(next.invites[0].code).not.toBe(page.invites[1].code);
    expect((await call(e.url, "net.openfederation.invite.list", { token: e.admin.accessJwt, params: { cursor: "garbage!" } })).status).toBe(400);
    const again = await call(e.url, "net.openfederation.invite.revoke", { token: e.admin.accessJwt, body: { code: created.code } });
    expect(again.status).toBe(200);
    expect((await call(e.url, "net.openfederation.invite.revoke", { token: e.admin.accessJwt, body: { code: created.code } })).body.error).toBe("AlreadyRevoked");
    expect((await call(e.url, "net.openfederation.invite.revoke", { token: e.admin.accessJwt, body: { code: "nope" } })).status).toBe(404);
  });
});

describe("approval", () => {
  test("pending login → 403; approve → login works; approve again → AlreadyResolved; concurrent approvals → one success", async () => {
    const name = uniq();
    const reg = await register(e, name);
    const login = () => call(e.url, "com.atproto.server.createSession", { body: { identifier: name, password: PASSWORD } });
    expect((await login()).body.error).toBe("AccountNotApproved");
    const both = await Promise.all([1, 2].map(() => call(e.url, "net.openfederation.account.approve", { token: e.admin.accessJwt, body: { handle: `${name}.test` } })));
    expect(both.map((r) => r.status).sort()).toEqual([200, 400]);
    expect(both.find((r) => r.status === 400)!.body.error).toBe("AlreadyResolved");
    expect(both.find((r) => r.status === 200)!.body).toEqual({ did: reg.did, handle: `${name}.test`, email: `${name}@example.org`, status: "approved" });
    expect((await login()).status).toBe(200);
    const rej = await call(e.url, "net.openfederation.account.reject", { token: e.admin.accessJwt, body: { did: reg.did } });
    expect({ status: rej.status, error: rej.body.error }).toEqual({ status: 400, error: "AlreadyResolved" });
    expect(await e.sql("SELECT count(*) AS n FROM audit_log WHERE action = 'account.approve' AND target_did = ?", reg.did)).toEqual([{ n: 1 }]);
  });

  test("approve input needs exactly one selector; unknown account → 404", async () => {
    expect((await call(e.url, "net.openfederation.account.approve", { token: e.admin.accessJwt, body: {} })).status).toBe(400);
    expect((await call(e.url, "net.openfederation.account.approve", { token: e.admin.accessJwt, body: { did: "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", email: "x@example.org" } })).status).toBe(400);
    const r = await call(e.url, "net.openfederation.account.approve", { token: e.admin.accessJwt, body: { did: "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa" } });
    expect({ status: r.status, error: r.body.error }).toEqual({ status: 404, error: "NotFound" });
  });

  test("reject → rejected, name and email re-registrable at once, login → AccountNotApproved, listPending shrinks", async () => {
    const name = uniq();
    const reg = await register(e, name);
    const pending = await ok(call(e.url, "net.openfederation.account.listPending", { token: e.admin.accessJwt, params: { limit: 100 } }));
    expect(pending.users.map((u: any) => u.did)).toContain(reg.did);
    expect(pending.total).toBeGreaterThanOrEqual(1);
    const out = await ok(call(e.url, "net.openfederation.account.reject", { token: e.admin.accessJwt, body: { email: `${name}@example.org`, reason: "spam" } }));
    expect(out).toEqual({ did: reg.did, handle: `${name}.test`, email: `${name}@example.org`, status: "rejected" });
    const login = await call(e.url, "com.atproto.server.createSession", { body: { identifier: `${name}@example.org`, password: PASSWORD } });
    expect({ status: login.status, error: login.body.error }).toEqual({ status: 403, error: "AccountNotApproved" });
    const again = await register(e, name);
    expect(again.did).not.toBe(reg.did);
    const after = await ok(call(e.url, "net.openfederation.account.listPending", { token: e.admin.accessJwt, params: { limit: 100 } }));
    expect(after.users.map((u: any) => u.did)).not.toContain(reg.did);
    const audit = await ok(call(e.url, "net.openfederation.audit.list", { token: e.admin.accessJwt, params: { action: "account.reject", targetDid: reg.did } }));
    expect(audit.entries).toHaveLength(1);
    expect(audit.entries[0].meta).toEqual({ previousStatus: "pending", reason: "spam" });
    // the tombstone is queued in the rejection's transaction; the --dev trigger runs the outbox job to its end
    expect((await fetch(`${e.url}/_dev/jobs/plc-tombstone-outbox`, { method: "POST" })).status).toBe(200);
    const last = (await (await fetch(`${e.pds.plcUrl}/${reg.did}/log/last`)).json()) as { type: string };
    expect(last.type).toBe("plc_tombstone");
    expect(await e.sql("SELECT count(*) AS n FROM plc_tombstone_outbox WHERE did = ?", reg.did)).toEqual([{ n: 0 }]);
  });

  test("reject an admin → 403 Forbidden", async () => {
    const r = await call(e.url, "net.openfederation.account.reject", { token: e.admin.accessJwt, body: { did: e.admin.did } });
    expect({ status: r.status, error: r.body.error }).toEqual({ status: 403, error: "Forbidden" });
  });
});

describe("roles and staff access", () => {
  test("a non-staff user gets 403 on every admin method; anonymous gets 401", async () => {
    const u = await approvedUser(e);
    const methods: Array<[string, unknown]> = [
      ["net.openfederation.account.listPending", undefined],
      ["net.openfederation.account.list", undefined],
      ["net.openfederation.account.approve", { did: u.did }],
      ["net.openfederation.account.reject", { did: u.did }],
      ["net.openfederation.account.updateRoles", { did: u.did, addRoles: ["admin"] }],
      ["net.openfederation.invite.create", {}],
      ["net.openfederation.invite.list", undefined],
      ["net.openfederation.invite.revoke", { code: "x" }],
      ["net.openfederation.audit.list", undefined],
    ];
    for (const [nsid, body] of methods) {
      const r = await call(e.url, nsid, { token: u.accessJwt, body });
      expect({ nsid, status: r.status, error: r.body.error }).toEqual({ nsid, status: 403, error: "Forbidden" });
      const anon = await call(e.url, nsid, { body });
      expect({ nsid, status: anon.status, error: anon.body.error }).toEqual({ nsid, status: 401, error: "AuthRequired" });
    }
    expect(await e.sql("SELECT role FROM account_roles WHERE did = ?", u.did)).toEqual([{ role: "user" }]);
  });

  test("updateRoles: add takes effect on the next request, removal too; own admin / user / unknown role → 400", async () => {
    const u = await approvedUser(e);
    const listAs = (t: string) => call(e.url, "net.openfederation.account.list", { token: t, params: { limit: 1 } });
    expect((await listAs(u.accessJwt)).status).toBe(403);
    const added = await ok(call(e.url, "net.openfederation.account.updateRoles", { token: e.admin.accessJwt, body: { did: u.did, addRoles: ["auditor"] } }));
    expect(added).toEqual({ did: u.did, handle: `${u.name}.test`, roles: ["auditor", "user"] });
    expect((await listAs(u.accessJwt)).status).toBe(200);
    await ok(call(e.url, "net.openfederation.account.updateRoles", { token: e.admin.accessJwt, body: { did: u.did, removeRoles: ["auditor"] } }));
    expect((await listAs(u.accessJwt)).status).toBe(403);
    for (const body of [{ did: e.admin.did, removeRoles: ["admin"] }, { did: u.did, removeRoles: ["user"] }, { did: u.did, addRoles: ["king"] }, { did: u.did }]) {
      const r = await call(e.url, "net.openfederation.account.updateRoles", { token: e.admin.accessJwt, body });
      expect({ body, status: r.status, error: r.body.error }).toEqual({ body, status: 400, error: "InvalidRequest" });
    }
    expect((await call(e.url, "net.openfederation.account.updateRoles", { token: e.admin.accessJwt, body: { did: "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", addRoles: ["auditor"] } })).status).toBe(404);
    const audit = await ok(call(e.url, "net.openfederation.audit.list", { token: e.admin.accessJwt, params: { action: "account.roles.*", targetDid: u.did } }));
    expect(audit.entries.map((x: any) => x.meta)).toEqual([{ added: [], removed: ["auditor"] }, { added: ["auditor"], removed: [] }]);
  });

  test("account.list filters, total and cursor", async () => {
    const all = await ok(call(e.url, "net.openfederation.account.list", { token: e.admin.accessJwt, params: { limit: 2 } }));
    expect(all.users).toHaveLength(2);
    expect(all.total).toBeGreaterThan(2);
    expect(all.cursor).toBeString();
    const next = await ok(call(e.url, "net.openfederation.account.list", { token: e.admin.accessJwt, params: { limit: 2, cursor: all.cursor } }));
    expect(next.users[0].did).not.toBe(all.users[1].did);
    const admins = await ok(call(e.url, "net.openfederation.account.list", { token: e.admin.accessJwt, params: { role: "admin" } }));
    expect(admins.users.map((u: any) => u.handle)).toEqual(["admin.test"]);
    expect(admins.users[0].roles).toEqual(["admin", "auditor", "moderator", "partner-manager", "user"]);
    const q = await ok(call(e.url, "net.openfederation.account.list", { token: e.admin.accessJwt, params: { q: "ADMIN" } }));
    expect(q.total).toBe(1);
    for (const params of [{ status: "creating" }, { role: "king" }, { cursor: "zzz" }] as Record<string, string>[]) {
      expect((await call(e.url, "net.openfederation.account.list", { token: e.admin.accessJwt, params })).status).toBe(400);
    }
  });
});
