// App passwords (10 §4) on a real server: create/list/revoke, login scopes, refresh, full-only refusals, lockout, deletion.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { AtpAgent } from "@atproto/api";
import { approvedUser, call, decodeJwt, ok, PASSWORD, startEnv, type Env } from "./_support.ts";

let e: Env;
beforeAll(async () => {
  e = await startEnv();
});
afterAll(() => e?.stop());

const CREATE = "com.atproto.server.createAppPassword";
const LIST = "com.atproto.server.listAppPasswords";
const REVOKE = "com.atproto.server.revokeAppPassword";
/** every password handed out, to check that none reaches the logs */
const issued: string[] = [];
const SHAPE = /^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/;
const login = (identifier: string, password: string, extra: Record<string, unknown> = {}) =>
  call(e.url, "com.atproto.server.createSession", { body: { identifier, password, ...extra } });
const rows = async (did: string) => await e.sql<{ name: string; privileged: number; password_hash: string }>("SELECT name, privileged, password_hash FROM app_passwords WHERE did = ? ORDER BY name", did);
const refresh = (refreshJwt: string) => call(e.url, "com.atproto.server.refreshSession", { token: refreshJwt, body: {} });
const auditCount = async (action: string, did: string) => (await e.sql<{ n: number }>("SELECT count(*) AS n FROM audit_log WHERE action = ? AND target_did = ?", action, did))[0]!.n;
const auditMeta = async (action: string, did: string) => (await e.sql<{ meta: string }>("SELECT meta FROM audit_log WHERE action = ? AND target_did = ? ORDER BY rowid", action, did)).map((r) => JSON.parse(r.meta));

test("create: the password is shown once, matches the pattern, stored only as a keyed hash; login gives an appPass session across refreshes", async () => {
  const u = await approvedUser(e);
  const made = await ok(call(e.url, CREATE, { token: u.accessJwt, body: { name: "  My phone  " } }));
  issued.push(made.password);
  expect(made.name).toBe("My phone");
  expect(made.password).toMatch(SHAPE);
  expect(made.privileged).toBe(false);
  expect(Date.parse(made.createdAt)).not.toBeNaN();
  const stored = await rows(u.did);
  expect(stored.map((r) => [r.name, r.privileged])).toEqual([["My phone", 0]]);
  expect(stored[0]!.password_hash).toMatch(/^[0-9a-f]{64}$/);
  expect(stored[0]!.password_hash).not.toContain(made.password);
  expect(await auditMeta("account.appPassword.create", u.did)).toEqual([{ name: "My phone", privileged: false }]);
  // never in audit meta or listings
  expect(JSON.stringify(await e.sql("SELECT meta FROM audit_log WHERE target_did = ?", u.did))).not.toContain(made.password);
  const listed = await ok(call(e.url, LIST, { token: u.accessJwt }));
  expect(listed).toEqual({ passwords: [{ name: "My phone", createdAt: made.createdAt, privileged: false }] });

  const s = await ok(login(u.name, made.password));
  expect(s.did).toBe(u.did);
  expect(decodeJwt(s.accessJwt).scope).toBe("com.atproto.appPass");
  const refreshed = await ok(refresh(s.refreshJwt));
  expect(decodeJwt(refreshed.accessJwt).scope).toBe("com.atproto.appPass");
  // an app-password session reads the ordinary user methods
  expect((await call(e.url, "com.atproto.server.getSession", { token: refreshed.accessJwt })).status).toBe(200);
  expect((await call(e.url, LIST, { token: refreshed.accessJwt })).status).toBe(200);
  expect((await e.sql<{ at: string | null }>("SELECT last_used_at AS at FROM app_passwords WHERE did = ?", u.did))[0]!.at).not.toBeNull();
  expect((await auditMeta("session.create", u.did)).at(-1)).toEqual({ sid: decodeJwt(s.accessJwt).sid, restricted: false, appPassword: "My phone" });
});

test("privileged: scope com.atproto.appPassPrivileged; a plain app password cannot get a service token for createAccount or chat", async () => {
  const u = await approvedUser(e);
  const plain = await ok(call(e.url, CREATE, { token: u.accessJwt, body: { name: "plain" } }));
  const priv = await ok(call(e.url, CREATE, { token: u.accessJwt, body: { name: "priv", privileged: true } }));
  issued.push(plain.password, priv.password);
  expect(priv.privileged).toBe(true);
  const ps = await ok(login(u.name, priv.password));
  expect(decodeJwt(ps.accessJwt).scope).toBe("com.atproto.appPassPrivileged");
  const s = await ok(login(u.name, plain.password));
  for (const lxm of ["com.atproto.server.createAccount", "chat.bsky.convo.listConvos"]) {
    const r = await call(e.url, "com.atproto.server.getServiceAuth", { token: s.accessJwt, params: { aud: "did:web:example.com", lxm } });
    expect([r.status, r.body.error, r.body.message]).toEqual([400, "InvalidRequest", `insufficient access to request a service auth token for ${lxm}`]);
    expect((await call(e.url, "com.atproto.server.getServiceAuth", { token: ps.accessJwt, params: { aud: "did:web:example.com", lxm } })).status).toBe(200);
  }
  expect((await call(e.url, "com.atproto.server.getServiceAuth", { token: s.accessJwt, params: { aud: "did:web:example.com", lxm: "app.bsky.feed.getTimeline" } })).status).toBe(200);
  // list: newest first
  expect((await ok(call(e.url, LIST, { token: u.accessJwt }))).passwords.map((p: { name: string }) => p.name)).toEqual(["priv", "plain"]);
});

test("AtpAgent logs in with an app password and writes a record; a main password of app-password shape still gives a full session", async () => {
  const u = await approvedUser(e);
  const made = await ok(call(e.url, CREATE, { token: u.accessJwt, body: { name: "agent" } }));
  const agent = new AtpAgent({ service: e.url });
  await agent.login({ identifier: u.name, password: made.password });
  expect(agent.session?.did).toBe(u.did);
  const res = await agent.com.atproto.repo.createRecord({ repo: u.did, collection: "com.example.note", record: { $type: "com.example.note", text: "hi" } });
  expect(res.success).toBe(true);

  // the account password itself in app-password shape: argon2id matches first → full session
  const shaped = "abcd-efgh-2345-mnop";
  await ok(call(e.url, "net.openfederation.account.changePassword", { token: u.accessJwt, body: { currentPassword: PASSWORD, newPassword: shaped } }));
  const full = await ok(login(u.name, shaped));
  expect(decodeJwt(full.accessJwt).scope).toBe("com.atproto.access");
});

test("name rules, case-insensitive uniqueness and the 50 limit: 400 InvalidRequest, nothing written", async () => {
  const u = await approvedUser(e);
  const bad: Array<[unknown, string]> = [
    ["", "An app password name must be 1 to 64 characters"],
    ["   ", "An app password name must be 1 to 64 characters"],
    ["x".repeat(65), "An app password name must be 1 to 64 characters"],
    ["tab\there", "An app password name may not contain control characters"],
    ["nul\u0000", "An app password name may not contain control characters"],
  ];
  for (const [name, message] of bad) {
    const r = await call(e.url, CREATE, { token: u.accessJwt, body: { name } });
    expect([r.status, r.body.error, r.body.message]).toEqual([400, "InvalidRequest", message]);
  }
  const missing = await call(e.url, CREATE, { token: u.accessJwt, body: {} });
  expect([missing.status, missing.body.error]).toEqual([400, "InvalidRequest"]);
  expect(await rows(u.did)).toEqual([]);
  expect(await auditCount("account.appPassword.create", u.did)).toBe(0);
  // 64 characters (code points) is fine
  expect((await call(e.url, CREATE, { token: u.accessJwt, body: { name: "é".repeat(64) } })).status).toBe(200);
  await ok(call(e.url, CREATE, { token: u.accessJwt, body: { name: "Laptop" } }));
  const dup = await call(e.url, CREATE, { token: u.accessJwt, body: { name: " laptop" } });
  expect([dup.status, dup.body.error, dup.body.message]).toEqual([400, "InvalidRequest", "An app password with this name already exists"]);
  for (let i = (await rows(u.did)).length; i < 50; i++) await ok(call(e.url, CREATE, { token: u.accessJwt, body: { name: `n${i}` } }));
  expect((await rows(u.did)).length).toBe(50);
  const over = await call(e.url, CREATE, { token: u.accessJwt, body: { name: "one-too-many" } });
  expect([over.status, over.body.error, over.body.message]).toEqual([400, "InvalidRequest", "At most 50 app passwords per account"]);
  expect((await rows(u.did)).length).toBe(50);
  expect(await auditCount("account.appPassword.create", u.did)).toBe(50);
});

test("an app-password session on full-session-only and staff methods → 400 InvalidToken \"Bad token scope\", nothing written", async () => {
  const u = await approvedUser(e);
  const made = await ok(call(e.url, CREATE, { token: u.accessJwt, body: { name: "limited", privileged: true } }));
  const s = await ok(login(u.name, made.password));
  const statusOf = async () => (await e.sql<{ status: string; hash: string }>("SELECT status, password_hash AS hash FROM accounts WHERE did = ?", u.did))[0]!;
  const before = { acct: await statusOf(), apps: (await rows(u.did)).length, audit: (await e.sql<{ n: number }>("SELECT count(*) AS n FROM audit_log"))[0]!.n };
  const calls: Array<[string, Record<string, unknown> | undefined, Record<string, string>?]> = [
    [CREATE, { name: "another" }],
    ["com.atproto.server.deactivateAccount", {}],
    ["com.atproto.server.activateAccount", {}],
    ["net.openfederation.account.changePassword", { currentPassword: PASSWORD, newPassword: "Another-pass-77" }],
    ["com.atproto.identity.submitPlcOperation", { operation: {} }],
    ["net.openfederation.community.delete", { did: "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa" }],
    ["net.openfederation.invite.create", {}],
    ["net.openfederation.account.list", undefined],
    ["net.openfederation.audit.list", undefined],
    ["com.atproto.admin.getAccountInfo", undefined, { did: u.did }],
  ];
  for (const [nsid, body, params] of calls) {
    const r = await call(e.url, nsid, { token: s.accessJwt, body, params });
    expect([nsid, r.status, r.body.error, r.body.message]).toEqual([nsid, 400, "InvalidToken", "Bad token scope"]);
  }
  expect({ acct: await statusOf(), apps: (await rows(u.did)).length, audit: (await e.sql<{ n: number }>("SELECT count(*) AS n FROM audit_log"))[0]!.n }).toEqual(before);
});

test("an admin's app password never reaches a staff method; the admin's full session does", async () => {
  const made = await ok(call(e.url, CREATE, { token: e.admin.accessJwt, body: { name: "admin-phone", privileged: true } }));
  const s = await ok(login("admin", made.password));
  expect(decodeJwt(s.accessJwt).scope).toBe("com.atproto.appPassPrivileged");
  for (const nsid of ["net.openfederation.account.list", "net.openfederation.account.listPending", "net.openfederation.audit.list", "net.openfederation.server.getConfig"]) {
    const r = await call(e.url, nsid, { token: s.accessJwt });
    expect([nsid, r.status, r.body.error, r.body.message]).toEqual([nsid, 400, "InvalidToken", "Bad token scope"]);
    expect((await call(e.url, nsid, { token: e.admin.accessJwt })).status).toBe(200);
  }
  const inv = await call(e.url, "net.openfederation.invite.create", { token: s.accessJwt, body: {} });
  expect([inv.status, inv.body.error]).toEqual([400, "InvalidToken"]);
  await ok(call(e.url, REVOKE, { token: e.admin.accessJwt, body: { name: "admin-phone" } }));
});

test("revoke: its live access token fails at once (401), its refresh and its login too; other sessions live; unknown name → 200, no audit", async () => {
  const u = await approvedUser(e);
  const a = await ok(call(e.url, CREATE, { token: u.accessJwt, body: { name: "A" } }));
  const b = await ok(call(e.url, CREATE, { token: u.accessJwt, body: { name: "B" } }));
  const sa1 = await ok(login(u.name, a.password));
  const sa2 = await ok(login(u.name, a.password));
  const sb = await ok(login(u.name, b.password));
  // an app-password session may revoke (10 §4: same auth as list)
  expect((await call(e.url, REVOKE, { token: sb.accessJwt, body: { name: "a" } })).status).toBe(200);
  for (const s of [sa1, sa2]) {
    const r = await call(e.url, "com.atproto.server.getSession", { token: s.accessJwt });
    expect([r.status, r.body.error]).toEqual([401, "InvalidToken"]);
    const rr = await refresh(s.refreshJwt);
    expect([rr.status, rr.body.error]).toEqual([401, "InvalidToken"]);
  }
  const again = await login(u.name, a.password);
  expect([again.status, again.body.error]).toEqual([401, "Unauthorized"]);
  expect((await call(e.url, "com.atproto.server.getSession", { token: sb.accessJwt })).status).toBe(200);
  expect((await call(e.url, "com.atproto.server.getSession", { token: u.accessJwt })).status).toBe(200);
  expect((await rows(u.did)).map((r) => r.name)).toEqual(["B"]);
  expect(await auditMeta("account.appPassword.revoke", u.did)).toEqual([{ name: "A", sessions: 2 }]);
  expect((await call(e.url, REVOKE, { token: u.accessJwt, body: { name: "nope" } })).status).toBe(200);
  expect(await auditCount("account.appPassword.revoke", u.did)).toBe(1);
  // deactivated accounts cannot manage app passwords (01 §9.3: approved only)
});

test("a wrong app password counts toward the lockout; the 5th failure locks the account for app and main passwords alike", async () => {
  const u = await approvedUser(e);
  const made = await ok(call(e.url, CREATE, { token: u.accessJwt, body: { name: "lock" } }));
  for (let i = 0; i < 5; i++) {
    const r = await login(u.name, "aaaa-bbbb-cccc-dddd");
    expect([r.status, r.body.error]).toEqual([401, "Unauthorized"]);
  }
  expect((await e.sql<{ count: number }>("SELECT count FROM login_failures WHERE key = ?", `account:${u.did}`))[0]!.count).toBe(5);
  const locked = await login(u.name, made.password);
  expect([locked.status, locked.body.error]).toEqual([429, "AccountLocked"]);
  expect((await auditMeta("session.loginFailed", u.did)).map((m) => m.reason)).toEqual([...Array(5).fill("wrong_password"), "account_locked"]);
});

test("password change and admin.updateAccountPassword revoke app-password sessions but keep the app passwords", async () => {
  const u = await approvedUser(e);
  const made = await ok(call(e.url, CREATE, { token: u.accessJwt, body: { name: "keep" } }));
  const s1 = await ok(login(u.name, made.password));
  await ok(call(e.url, "net.openfederation.account.changePassword", { token: u.accessJwt, body: { currentPassword: PASSWORD, newPassword: "Second-pass-42" } }));
  expect((await call(e.url, "com.atproto.server.getSession", { token: s1.accessJwt })).status).toBe(401);
  const s2 = await ok(login(u.name, made.password));
  await ok(call(e.url, "com.atproto.admin.updateAccountPassword", { token: e.admin.accessJwt, body: { did: u.did, password: "Third-pass-42" } }));
  expect((await call(e.url, "com.atproto.server.getSession", { token: s2.accessJwt })).status).toBe(401);
  expect(decodeJwt((await ok(login(u.name, made.password))).accessJwt).scope).toBe("com.atproto.appPass");
  expect((await rows(u.did)).map((r) => r.name)).toEqual(["keep"]);
});

test("a deactivated account's app-password session has appPass scope, cannot activate (400) nor manage app passwords (403)", async () => {
  const u = await approvedUser(e);
  const made = await ok(call(e.url, CREATE, { token: u.accessJwt, body: { name: "deact" } }));
  await ok(call(e.url, "com.atproto.server.deactivateAccount", { token: u.accessJwt, body: {} }));
  const s = await ok(login(u.name, made.password));
  expect(decodeJwt(s.accessJwt).scope).toBe("com.atproto.appPass");
  const act = await call(e.url, "com.atproto.server.activateAccount", { token: s.accessJwt, body: {} });
  expect([act.status, act.body.error, act.body.message]).toEqual([400, "InvalidToken", "Bad token scope"]);
  const list = await call(e.url, LIST, { token: s.accessJwt });
  expect([list.status, list.body.error]).toEqual([403, "AccountDeactivated"]);
  expect((await e.sql<{ status: string }>("SELECT status FROM accounts WHERE did = ?", u.did))[0]!.status).toBe("deactivated");
});

test("admin.deleteAccount removes the account's app passwords", async () => {
  const u = await approvedUser(e);
  await ok(call(e.url, CREATE, { token: u.accessJwt, body: { name: "gone" } }));
  await ok(call(e.url, "net.openfederation.account.export", { token: u.accessJwt, params: { did: u.did } })); // the 06 §2 export rule
  await ok(call(e.url, "com.atproto.admin.deleteAccount", { token: e.admin.accessJwt, body: { did: u.did } }));
  expect(await rows(u.did)).toEqual([]);
});

test("logs: no invalid outputs, no undeclared error names, no app password", () => {
  const logs = e.pds.logs();
  expect(logs).not.toContain("does not match its lexicon");
  expect(logs).not.toContain("does not declare");
  expect(issued.length).toBe(3);
  for (const p of issued) expect(logs).not.toContain(p);
});

test("concurrent creates: one name given ten times at once (in different cases) → exactly one created, nine refused", async () => {
  const u = await approvedUser(e);
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => call(e.url, CREATE, { token: u.accessJwt, body: { name: i % 2 ? "Race" : "race" } })));
  expect(results.filter((r) => r.status === 200).length).toBe(1);
  for (const r of results.filter((x) => x.status !== 200)) expect([r.status, r.body.message]).toEqual([400, "An app password with this name already exists"]);
  expect((await rows(u.did)).length).toBe(1);
  expect(await auditCount("account.appPassword.create", u.did)).toBe(1);
});
