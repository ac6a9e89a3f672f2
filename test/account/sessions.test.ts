// Sessions against a real server: login identifiers, lockout, token verification, rotation, reuse, deleteSession, handles.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { approvedUser, call, craftJwt, decodeJwt, ok, PASSWORD, register, startEnv, uniq, type Env } from "./_support.ts";

let e: Env;
beforeAll(async () => {
  e = await startEnv();
});
afterAll(async () => {
  await e?.stop();
});

const login = (identifier: string, password = PASSWORD, extra: Record<string, unknown> = {}) =>
  call(e.url, "com.atproto.server.createSession", { body: { identifier, password, ...extra } });
const expectErr = (r: { status: number; body: any }, status: number, error: string) => expect({ status: r.status, error: r.body?.error }).toEqual({ status, error });

describe("createSession", () => {
  test("works with name, full handle, email and DID; every response carries the full handle", async () => {
    const u = await approvedUser(e);
    for (const id of [u.name, `${u.name.toUpperCase()}.test`, ` ${u.name}@EXAMPLE.org`, u.did]) {
      const s = await ok(login(id));
      expect(s).toMatchObject({ did: u.did, handle: `${u.name}.test`, email: `${u.name}@example.org`, emailConfirmed: false, active: true, roles: ["user"], accountStatus: "approved" });
      const h = JSON.parse(Buffer.from(s.accessJwt.split(".")[0], "base64url").toString());
      expect(h).toEqual({ alg: "HS256", typ: "at+jwt" });
      expect(decodeJwt(s.accessJwt)).toMatchObject({ scope: "com.atproto.access", sub: u.did, aud: e.serviceDid });
      expect(decodeJwt(s.refreshJwt)).toMatchObject({ scope: "com.atproto.refresh", sub: u.did, aud: e.serviceDid });
    }
  });

  test("wrong password → 401 Unauthorized and an audit row with the identifier hashed", async () => {
    const u = await approvedUser(e);
    const before = (await e.sql<{ n: number }>("SELECT count(*) AS n FROM sessions WHERE did = ?", u.did))[0]!.n;
    const r = await login(u.name, "Wrong-password-1");
    expectErr(r, 401, "Unauthorized");
    expect(r.body.message).toBe("Invalid identifier or password");
    expect((await e.sql<{ n: number }>("SELECT count(*) AS n FROM sessions WHERE did = ?", u.did))[0]!.n).toBe(before);
    const rows = await e.sql<{ meta: string; ip: string }>("SELECT meta, ip FROM audit_log WHERE action = 'session.loginFailed' AND target_did = ?", u.did);
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0]!.meta)).toMatchObject({ reason: "wrong_password" });
    expect(rows[0]!.meta).not.toContain(u.name);
    expectErr(await login(u.name, "x".repeat(300)), 401, "Unauthorized");
  });

  test("lockout: 5 failures → the 6th attempt, even correct, is 429 AccountLocked with retryAfter ≈ 60 and Retry-After", async () => {
    const u = await approvedUser(e);
    // name, handle and email share one counter
    for (const id of [u.name, `${u.name}.test`, `${u.name}@example.org`, u.did, u.name]) expectErr(await login(id, "Wrong-password-1"), 401, "Unauthorized");
    const r = await login(u.name);
    expectErr(r, 429, "AccountLocked");
    expect(r.body.retryAfter).toBeGreaterThan(55);
    expect(r.body.retryAfter).toBeLessThanOrEqual(60);
    expect(Number(r.headers.get("retry-after"))).toBe(r.body.retryAfter);
    const reasons = (await e.sql<{ meta: string }>("SELECT meta FROM audit_log WHERE action = 'session.loginFailed' AND target_did = ?", u.did)).map((x) => JSON.parse(x.meta).reason);
    expect(reasons.filter((x: string) => x === "account_locked")).toHaveLength(1);
    // locked attempts do not increment
    expect(await e.sql("SELECT count FROM login_failures WHERE key = ?", `account:${u.did}`)).toEqual([{ count: 5 }]);
  });

  test("an unknown identifier locks the same way", async () => {
    const id = `${uniq("ghost")}@example.org`;
    for (let i = 0; i < 5; i++) expectErr(await login(id, "Wrong-password-1"), 401, "Unauthorized");
    expectErr(await login(id, "Wrong-password-1"), 429, "AccountLocked");
  });

  test("pending → 403 AccountNotApproved, only after a correct password", async () => {
    const name = uniq();
    await register(e, name);
    expectErr(await login(name, "Wrong-password-1"), 401, "Unauthorized");
    expectErr(await login(name), 403, "AccountNotApproved");
  });
});

describe("token verification", () => {
  let u: Awaited<ReturnType<typeof approvedUser>>;
  beforeAll(async () => {
    u = await approvedUser(e);
  });
  const getSession = (t: string) => call(e.url, "com.atproto.server.getSession", { token: t });

  test("a good access token works on getSession", async () => {
    expect((await ok(getSession(u.accessJwt))).did).toBe(u.did);
  });

  test("alg none, HS384, wrong secret, wrong aud, refresh scope → 401 InvalidToken; expired → 400 ExpiredToken", async () => {
    const claims = decodeJwt(u.accessJwt);
    const secret = e.jwtSecret();
    const now = Math.floor(Date.now() / 1000);
    const cases: Array<[string, string, number, string]> = [
      ["alg none", craftJwt(secret, { alg: "none", typ: "at+jwt" }, claims, "none"), 401, "InvalidToken"],
      ["HS384", craftJwt(secret, { alg: "HS384", typ: "at+jwt" }, claims, "sha384"), 401, "InvalidToken"],
      ["wrong secret", craftJwt("not-the-secret", { alg: "HS256", typ: "at+jwt" }, claims), 401, "InvalidToken"],
      ["wrong aud", craftJwt(secret, { alg: "HS256", typ: "at+jwt" }, { ...claims, aud: "did:web:elsewhere.example" }), 401, "InvalidToken"],
      ["refresh token", u.refreshJwt, 401, "InvalidToken"],
      ["garbage", "not.a.jwt", 401, "InvalidToken"],
      ["expired", craftJwt(secret, { alg: "HS256", typ: "at+jwt" }, { ...claims, iat: now - 3600, exp: now - 60 }), 400, "ExpiredToken"],
    ];
    for (const [what, token, status, error] of cases) {
      const r = await getSession(token);
      expect({ what, status: r.status, error: r.body.error }).toEqual({ what, status, error });
    }
  });

  test("an invalid Authorization header is a 401 even on methods without auth", async () => {
    const r = await call(e.url, "com.atproto.server.describeServer", { token: "nope.nope.nope" });
    expectErr(r, 401, "InvalidToken");
    expectErr(await call(e.url, "com.atproto.server.describeServer", { headers: { authorization: "Basic abc" } }), 401, "InvalidToken");
    expect((await call(e.url, "com.atproto.server.describeServer", { token: u.accessJwt })).status).toBe(200);
  });

  test("an access token on refreshSession → 401 InvalidToken; an expired refresh token → 400 ExpiredToken", async () => {
    expectErr(await call(e.url, "com.atproto.server.refreshSession", { token: u.accessJwt, body: {} }), 401, "InvalidToken");
    const now = Math.floor(Date.now() / 1000);
    const expired = craftJwt(e.jwtSecret(), { alg: "HS256", typ: "refresh+jwt" }, { ...decodeJwt(u.refreshJwt), iat: now - 100, exp: now - 1 });
    expectErr(await call(e.url, "com.atproto.server.refreshSession", { token: expired, body: {} }), 400, "ExpiredToken");
  });
});

describe("refresh rotation", () => {
  const refresh = (t: string) => call(e.url, "com.atproto.server.refreshSession", { token: t, body: {} });

  test("two concurrent refreshes with the same token → both 200 with identical pairs", async () => {
    const u = await approvedUser(e);
    const [a, b] = await Promise.all([refresh(u.refreshJwt), refresh(u.refreshJwt)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.accessJwt).toBe(b.body.accessJwt);
    expect(a.body.refreshJwt).toBe(b.body.refreshJwt);
    expect(a.body).toMatchObject({ did: u.did, handle: `${u.name}.test`, active: true });
    expect((await ok(refresh(a.body.refreshJwt))).did).toBe(u.did);
  });

  test("a forged-but-valid refresh token whose jti is unknown → 401; a rotated token reused after 10 s → 401 and the whole session dies", async () => {
    const u = await approvedUser(e);
    const forged = craftJwt(e.jwtSecret(), { alg: "HS256", typ: "refresh+jwt" }, { ...decodeJwt(u.refreshJwt), jti: "unknown" });
    expectErr(await refresh(forged), 401, "InvalidToken");
    const next = await ok(refresh(u.refreshJwt));
    e.pds.advanceClock(9_000); // still inside the 10 s grace: the duplicate gets the same pair, nothing dies
    expect(await ok(refresh(u.refreshJwt))).toEqual(next);
    e.pds.advanceClock(1_500);
    expectErr(await refresh(u.refreshJwt), 401, "InvalidToken");
    expectErr(await call(e.url, "com.atproto.server.getSession", { token: next.accessJwt }), 401, "InvalidToken");
    expectErr(await refresh(next.refreshJwt), 401, "InvalidToken");
    expect(await e.sql("SELECT count(*) AS n FROM audit_log WHERE action = 'session.reuseDetected' AND target_did = ?", u.did)).toEqual([{ n: 1 }]);
  });
});

describe("deleteSession", () => {
  // deleteSession declares no input: a bare POST
  const del = (t?: string) => fetch(`${e.url}/xrpc/com.atproto.server.deleteSession`, { method: "POST", headers: t ? { authorization: `Bearer ${t}` } : {} });

  test("with the refresh JWT → 200, the session's access token now fails; repeating → 200; audit only once", async () => {
    const u = await approvedUser(e);
    expect((await del(u.refreshJwt)).status).toBe(200);
    expectErr(await call(e.url, "com.atproto.server.getSession", { token: u.accessJwt }), 401, "InvalidToken");
    expectErr(await call(e.url, "com.atproto.server.refreshSession", { token: u.refreshJwt, body: {} }), 401, "InvalidToken");
    expect((await del(u.refreshJwt)).status).toBe(200);
    expect(await e.sql("SELECT count(*) AS n FROM audit_log WHERE action = 'session.delete' AND target_did = ?", u.did)).toEqual([{ n: 1 }]);
  });

  test("with an access JWT → revokes its session; no credential → 401 AuthRequired", async () => {
    const u = await approvedUser(e);
    expect((await del(u.accessJwt)).status).toBe(200);
    expectErr(await call(e.url, "com.atproto.server.refreshSession", { token: u.refreshJwt, body: {} }), 401, "InvalidToken");
    const none = await del();
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: string }).error).toBe("AuthRequired");
  });
});

describe("handles", () => {
  test("resolveHandle answers local approved handles; pending, unknown and remote → 400 HandleNotFound", async () => {
    const u = await approvedUser(e);
    expect(await ok(call(e.url, "com.atproto.identity.resolveHandle", { params: { handle: `${u.name}.test` } }))).toEqual({ did: u.did });
    const p = uniq();
    await register(e, p);
    for (const handle of [`${p}.test`, "nobody-here.test", "example.com"]) {
      expectErr(await call(e.url, "com.atproto.identity.resolveHandle", { params: { handle } }), 400, "HandleNotFound");
    }
  });

  test("/.well-known/atproto-did by Host", async () => {
    const u = await approvedUser(e);
    const wk = (host: string) => fetch(`${e.url}/.well-known/atproto-did`, { headers: { host } });
    const r = await wk(`${u.name}.test`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toStartWith("text/plain");
    expect(await r.text()).toBe(u.did);
    expect((await wk("nobody-here.test")).status).toBe(404);
    expect((await wk("localhost")).status).toBe(404);
    const p = uniq();
    await register(e, p);
    expect((await wk(`${p}.test`)).status).toBe(404);
  });
});
