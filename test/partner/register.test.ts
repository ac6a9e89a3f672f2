// partner.register against the real server: the X-Partner-Key guard, exact Origin matching, per-IP limits for browsers only, sessions, CORS.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { call, ok } from "../_support/xrpc.ts";
import { ADMIN, ORIGIN, createKey, expectError, login, nextName, register, snapshot } from "./_partner.ts";

let pds: RunningPds;
let admin: string;
let key: { id: string; key: string };

beforeAll(async () => {
  // invites and approval required (the defaults): partner registrations need neither. Loopback is exempt from
  // the IP limiters here (--dev default); limits.test.ts counts them.
  pds = await startPds(ADMIN);
  admin = await login(pds);
  key = await createKey(pds, admin, { allowedOrigins: ["HTTPS://Game.Example.COM:443/", "http://localhost:5173"] });
});
afterAll(async () => {
  await pds?.stop();
});

describe("the X-Partner-Key guard refuses and writes nothing", () => {
  const cases: Array<[string, () => Promise<string | undefined>, number, string, RegExp]> = [
    ["missing header", async () => undefined, 401, "Unauthorized", /X-Partner-Key/],
    ["empty header", async () => "", 401, "Unauthorized", /X-Partner-Key/],
    ["malformed (short)", async () => "ofp_abc", 401, "Unauthorized", /Malformed/],
    ["malformed (wrong prefix)", async () => "ofx_" + "A".repeat(64), 401, "Unauthorized", /Malformed/],
    ["unknown", async () => "ofp_" + "A".repeat(64), 401, "Unauthorized", /Unknown/],
    [
      "revoked",
      async () => {
        const k = await createKey(pds, admin, { name: "to-revoke" });
        await ok(call(pds.url, "net.openfederation.partner.revokeKey", { token: admin, body: { id: k.id } }));
        return k.key;
      },
      401, "Unauthorized", /revoked/,
    ],
    ["without the register permission", async () => (await createKey(pds, admin, { name: "no-register", permissions: [] })).key, 403, "Forbidden", /register permission/],
  ];
  for (const [what, keyOf, status, error, message] of cases) {
    test(what, async () => {
      const k = await keyOf();
      const before = await snapshot(pds, admin);
      const name = nextName("refused");
      const r = await register(pds, k, { name });
      expectError(r, status, error, message);
      expect(await snapshot(pds, admin)).toEqual(before);
      const found = await ok(call(pds.url, "net.openfederation.account.list", { token: admin, params: { q: name } }));
      expect(found.total).toBe(0);
    });
  }
});

test("a present but invalid Authorization header is refused even with a good key (401 InvalidToken), nothing written", async () => {
  const before = await snapshot(pds, admin);
  const name = nextName("bearer");
  const r = await call(pds.url, "net.openfederation.partner.register", {
    token: "not-a-jwt",
    headers: { "X-Partner-Key": key.key },
    body: { handle: name, email: `${name}@example.org`, password: `Pw-${name}-2026-long` },
  });
  expectError(r, 401, "InvalidToken");
  expect(await snapshot(pds, admin)).toEqual(before);
});

describe("Origin", () => {
  test("a browser origin not on the key's list is refused: 403 Origin not allowed, nothing written", async () => {
    const before = await snapshot(pds, admin);
    for (const origin of ["https://evil.example.com", "https://game.example.com:8443", "http://game.example.com", "null", "https://game.example.com.evil.org"]) {
      expectError(await register(pds, key.key, { origin }), 403, "Forbidden", /^Origin not allowed$/);
    }
    expect(await snapshot(pds, admin)).toEqual(before);
  });

  test("an allowed origin matches after normalisation (case, default port)", async () => {
    const r = await register(pds, key.key, { origin: "https://GAME.example.com:443" });
    expect(r.status).toBe(200);
    const dev = await register(pds, key.key, { origin: "http://localhost:5173" });
    expect(dev.status).toBe(200);
  });
});

describe("a successful registration", () => {
  test("is approved at once without an invite and returns a normal session", async () => {
    const name = nextName("member");
    const before = (await ok(call(pds.url, "net.openfederation.partner.listKeys", { token: admin }))).keys.find((k: { id: string }) => k.id === key.id);
    const r = await ok(register(pds, key.key, { name }));
    expect(r).toMatchObject({ handle: `${name}.test`, email: `${name}@example.org`, status: "approved", active: true });
    expect(r.did).toMatch(/^did:plc:[a-z2-7]{24}$/);
    expect(r.primaryRotationKey).toMatchObject({ curve: "secp256k1" });
    const session = await ok(call(pds.url, "com.atproto.server.getSession", { token: r.accessJwt }));
    expect(session).toMatchObject({ did: r.did, handle: r.handle, active: true });
    const rs = await fetch(`${pds.url}/xrpc/com.atproto.server.refreshSession`, { method: "POST", headers: { authorization: `Bearer ${r.refreshJwt}` } });
    expect(rs.status).toBe(200);
    // a full-access session: the member can write to its repo
    const post = await call(pds.url, "com.atproto.repo.createRecord", {
      token: r.accessJwt,
      body: { repo: r.did, collection: "app.bsky.feed.post", record: { $type: "app.bsky.feed.post", text: "hi", createdAt: new Date().toISOString() } },
    });
    expect(post.status).toBe(200);

    const listed = await ok(call(pds.url, "net.openfederation.account.list", { token: admin, params: { q: name } }));
    expect(listed.users).toEqual([expect.objectContaining({ did: r.did, status: "approved" })]);
    const after = (await ok(call(pds.url, "net.openfederation.partner.listKeys", { token: admin }))).keys.find((k: { id: string }) => k.id === key.id);
    expect(after.totalRegistrations).toBe(before.totalRegistrations + 1);
    expect(Date.parse(after.lastUsedAt)).toBeGreaterThanOrEqual(Date.parse(before.lastUsedAt ?? "1970-01-01T00:00:00Z"));

    const audit = await ok(call(pds.url, "net.openfederation.audit.list", { token: admin, params: { action: "partner.register", targetDid: r.did } }));
    expect(audit.entries).toEqual([
      expect.objectContaining({ action: "partner.register", actorType: "partnerKey", partnerKeyId: key.id, targetDid: r.did, meta: { handle: r.handle, partnerName: "Game Co", did: r.did } }),
    ]);
    const reg = await ok(call(pds.url, "net.openfederation.audit.list", { token: admin, params: { action: "account.register", targetDid: r.did } }));
    expect(reg.entries[0].meta).toMatchObject({ createdVia: "partner" });
  });

  test("bad input after a good key: 400 InvalidRequest / 409 AccountExists, nothing written", async () => {
    const taken = nextName("taken");
    await ok(register(pds, key.key, { name: taken }));
    const before = await snapshot(pds, admin);
    expectError(await register(pds, key.key, { body: { handle: "a" } }), 400, "InvalidRequest");
    expectError(await register(pds, key.key, { body: { email: "not-an-email" } }), 400, "InvalidRequest");
    expectError(await register(pds, key.key, { body: { password: "short" } }), 400, "InvalidRequest");
    expectError(await register(pds, key.key, { body: { handle: undefined } }), 400, "InvalidRequest");
    expectError(await register(pds, key.key, { name: taken }), 409, "AccountExists");
    expect(await snapshot(pds, admin)).toEqual(before);
  });

  test("revocation is immediate; accounts the key created stay", async () => {
    const k = await createKey(pds, admin, { name: "short-lived" });
    const r = await ok(register(pds, k.key));
    expect(await ok(call(pds.url, "net.openfederation.partner.revokeKey", { token: admin, body: { id: k.id } }))).toEqual({ id: k.id, status: "revoked" });
    expectError(await register(pds, k.key), 401, "Unauthorized", /revoked/);
    expect((await ok(call(pds.url, "com.atproto.server.getSession", { token: r.accessJwt }))).did).toBe(r.did);
  });
});

describe("CORS (06 §12): the SDK calls partner.register from browsers", () => {
  test("preflight: 204, any origin, X-Partner-Key allowed, no credentials", async () => {
    const res = await fetch(`${pds.url}/xrpc/net.openfederation.partner.register`, {
      method: "OPTIONS",
      headers: { Origin: ORIGIN, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,x-partner-key" },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-methods")).toBe("GET, POST, OPTIONS");
    expect(res.headers.get("access-control-allow-headers")).toBe("Content-Type, Authorization, X-Partner-Key, atproto-accept-labelers, atproto-proxy, x-bsky-topics, DPoP");
    expect(res.headers.get("access-control-max-age")).toBe("600");
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
  });

  test("a refused browser call still carries the CORS headers, so the page can read the error", async () => {
    const r = await register(pds, key.key, { origin: "https://evil.example.com" });
    expect(r.status).toBe(403);
    expect(r.headers.get("access-control-allow-origin")).toBe("*");
    expect(r.headers.get("access-control-expose-headers")).toBe(
      "RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After, WWW-Authenticate, DPoP-Nonce, atproto-content-labelers, atproto-repo-rev",
    );
  });
});
