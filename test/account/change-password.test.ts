// net.openfederation.account.changePassword (01 §9) on a real server: rules, lockout, other sessions revoked, nothing written on refusal.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { approvedUser, call, ok, PASSWORD, startEnv, type Env } from "./_support.ts";

let e: Env;
beforeAll(async () => {
  e = await startEnv();
});
afterAll(() => e?.stop());

const CHANGE = "net.openfederation.account.changePassword";
const NEW = "Another-horse-42";
const hashOf = async (did: string) => (await e.sql<{ h: string }>("SELECT password_hash AS h FROM accounts WHERE did = ?", did))[0]!.h;
const liveSessions = async (did: string) => (await e.sql<{ n: number }>("SELECT count(*) AS n FROM sessions WHERE did = ? AND revoked_at IS NULL", did))[0]!.n;
const login = (identifier: string, password: string) => call(e.url, "com.atproto.server.createSession", { body: { identifier, password } });

test("refusals: exact error, the hash and every session unchanged", async () => {
  const u = await approvedUser(e);
  const other = await ok(login(u.name, PASSWORD));
  const before = { hash: await hashOf(u.did), live: await liveSessions(u.did) };
  const cases: Array<[string, Record<string, unknown>, number, string]> = [
    ["wrong current password", { currentPassword: "Wrong-horse-99", newPassword: NEW }, 401, "Unauthorized"],
    ["weak new password", { currentPassword: PASSWORD, newPassword: "short" }, 400, "InvalidRequest"],
    ["new equals current", { currentPassword: PASSWORD, newPassword: PASSWORD }, 400, "InvalidRequest"],
    ["missing newPassword", { currentPassword: PASSWORD }, 400, "InvalidRequest"],
  ];
  for (const [what, body, status, error] of cases) {
    const r = await call(e.url, CHANGE, { token: u.accessJwt, body });
    expect({ what, status: r.status, error: r.body.error }).toEqual({ what, status, error });
  }
  const anon = await call(e.url, CHANGE, { body: { currentPassword: PASSWORD, newPassword: NEW } });
  expect([anon.status, anon.body.error]).toEqual([401, "AuthRequired"]);
  expect({ hash: await hashOf(u.did), live: await liveSessions(u.did) }).toEqual(before);
  expect((await call(e.url, "com.atproto.server.getSession", { token: other.accessJwt })).status).toBe(200);
  expect(await e.sql("SELECT count(*) AS n FROM audit_log WHERE action = 'account.password.change' AND target_did = ?", u.did)).toEqual([{ n: 0 }]);
});

test("success: new password works, the old one does not; other sessions revoked, the caller's kept; audited", async () => {
  const u = await approvedUser(e);
  const other = await ok(login(u.name, PASSWORD));
  expect(await ok(call(e.url, CHANGE, { token: u.accessJwt, body: { currentPassword: PASSWORD, newPassword: NEW } }))).toEqual({ success: true });

  expect((await call(e.url, "com.atproto.server.getSession", { token: u.accessJwt })).status).toBe(200);
  const otherAccess = await call(e.url, "com.atproto.server.getSession", { token: other.accessJwt });
  expect([otherAccess.status, otherAccess.body.error]).toEqual([401, "InvalidToken"]);
  const otherRefresh = await call(e.url, "com.atproto.server.refreshSession", { token: other.refreshJwt, body: {} });
  expect([otherRefresh.status, otherRefresh.body.error]).toEqual([401, "InvalidToken"]);
  expect(await liveSessions(u.did)).toBe(1);

  const old = await login(u.name, PASSWORD);
  expect([old.status, old.body.error]).toEqual([401, "Unauthorized"]);
  expect((await login(u.name, NEW)).status).toBe(200);
  const audit = await e.sql<{ meta: string }>("SELECT meta FROM audit_log WHERE action = 'account.password.change' AND target_did = ?", u.did);
  expect(audit).toHaveLength(1);
  expect(JSON.parse(audit[0]!.meta)).toEqual({ revokedSessions: 1 });
});

test("wrong current passwords count toward the account's lockout, shared with login", async () => {
  const u = await approvedUser(e);
  for (let i = 0; i < 5; i++) {
    const r = await call(e.url, CHANGE, { token: u.accessJwt, body: { currentPassword: `Wrong-horse-${i}0`, newPassword: NEW } });
    expect([r.status, r.body.error]).toEqual([401, "Unauthorized"]);
  }
  const before = await hashOf(u.did);
  const locked = await call(e.url, CHANGE, { token: u.accessJwt, body: { currentPassword: PASSWORD, newPassword: NEW } });
  expect([locked.status, locked.body.error]).toEqual([429, "AccountLocked"]);
  const viaLogin = await login(u.name, PASSWORD);
  expect([viaLogin.status, viaLogin.body.error]).toEqual([429, "AccountLocked"]);
  expect(await hashOf(u.did)).toBe(before);
});

test("a deactivated account may still change its password (01 §9.3 allowlist)", async () => {
  const u = await approvedUser(e);
  expect((await call(e.url, "com.atproto.server.deactivateAccount", { token: u.accessJwt, body: {} })).status).toBe(200);
  expect(await ok(call(e.url, CHANGE, { token: u.accessJwt, body: { currentPassword: PASSWORD, newPassword: NEW } }))).toEqual({ success: true });
  expect((await login(u.name, NEW)).status).toBe(200);
});
