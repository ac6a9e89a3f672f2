// IP rate limits over real HTTP: global and endpoint buckets, headers, exemptions, X-Forwarded-For.
import { afterEach, describe, expect, test } from "bun:test";
import type { RateLimitConfig } from "../../src/config/types.ts";
import { errorBody, startApp, type TestApp } from "./_app.ts";
import { fixtureLexicons, fixtureRoutes } from "./fixtures/routes.ts";

const DESCRIBE = "/xrpc/com.atproto.server.describeServer";
let app: TestApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

async function start(rateLimits: Partial<RateLimitConfig>, trustProxy = 0) {
  app = await startApp({
    routes: fixtureRoutes,
    lexicons: fixtureLexicons,
    config: { trustProxy, rateLimits: { enabled: true, global: 3, ...rateLimits } as RateLimitConfig },
  });
  return app;
}

const get = (a: TestApp, path: string, headers: Record<string, string> = {}) => fetch(a.url + path, { headers });

describe("global limiter", () => {
  test("the (N+1)th request → 429 RateLimitExceeded with Retry-After and RateLimit-* headers", async () => {
    const a = await start({ global: 3 });
    for (let i = 1; i <= 3; i++) {
      const res = await get(a, DESCRIBE);
      expect(res.status).toBe(200);
      expect(res.headers.get("ratelimit-limit")).toBe("3");
      expect(res.headers.get("ratelimit-remaining")).toBe(String(3 - i));
    }
    const res = await get(a, DESCRIBE);
    expect(res.status).toBe(429);
    const body = await errorBody(res);
    expect(body).toMatchObject({ error: "RateLimitExceeded", keys: ["error", "message"] });
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(res.headers.get("ratelimit-limit")).toBe("3");
    expect(res.headers.get("ratelimit-remaining")).toBe("0");
    expect(Number(res.headers.get("ratelimit-reset"))).toBeGreaterThan(0);
    // The limiter runs before method lookup, so it also covers unknown paths and the banner.
    expect((await get(a, "/")).status).toBe(429);
    expect((await get(a, "/xrpc/x.y.z")).status).toBe(429);
  });

  test("health and OPTIONS are never limited", async () => {
    const a = await start({ global: 1 });
    await get(a, DESCRIBE);
    expect((await get(a, DESCRIBE)).status).toBe(429);
    for (let i = 0; i < 5; i++) {
      expect((await get(a, "/xrpc/_health")).status).toBe(200);
      expect((await get(a, "/health")).status).toBe(200);
      expect((await fetch(a.url + DESCRIBE, { method: "OPTIONS" })).status).toBe(204);
    }
  });

  test.each([["127.0.0.0/8"], ["127.0.0.1/32"], ["10.0.0.0/8,127.0.0.1"], ["::ffff:127.0.0.0/104"]])(
    "exempt CIDR %s is not limited",
    async (cidrs) => {
      const a = await start({ global: 2, exemptCidrs: cidrs.split(",") });
      for (let i = 0; i < 6; i++) {
        const res = await get(a, DESCRIBE);
        expect(res.status).toBe(200);
        expect(res.headers.get("ratelimit-limit")).toBeNull();
      }
    },
  );

  test("an exempt list that does not cover the client still limits", async () => {
    const a = await start({ global: 2, exemptCidrs: ["::1/128", "10.0.0.0/8"] });
    await get(a, DESCRIBE);
    await get(a, DESCRIBE);
    expect((await get(a, DESCRIBE)).status).toBe(429);
  });

  test("RATE_LIMITS_ENABLED=false disables the IP limiters", async () => {
    const a = await start({ enabled: false, global: 1 });
    for (let i = 0; i < 4; i++) expect((await get(a, DESCRIBE)).status).toBe(200);
  });
});

describe("client IP and X-Forwarded-For", () => {
  test("without TRUST_PROXY, X-Forwarded-For is ignored", async () => {
    const a = await start({ global: 2 });
    for (const ip of ["10.0.0.1", "10.0.0.2"]) expect((await get(a, DESCRIBE, { "X-Forwarded-For": ip })).status).toBe(200);
    expect((await get(a, DESCRIBE, { "X-Forwarded-For": "10.0.0.3" })).status).toBe(429);
  });

  test("with TRUST_PROXY=1, the rightmost entry is the client", async () => {
    const a = await start({ global: 2 }, 1);
    const as = (xff: string) => get(a, DESCRIBE, { "X-Forwarded-For": xff });
    expect((await as("10.0.0.1")).status).toBe(200);
    expect((await as("6.6.6.6, 10.0.0.1")).status).toBe(200); // a spoofed left entry does not change the key
    expect((await as("7.7.7.7, 10.0.0.1")).status).toBe(429);
    expect((await as("10.0.0.2")).status).toBe(200);
    expect((await as("::ffff:10.0.0.2")).status).toBe(200); // same address, other spelling
    expect((await as("10.0.0.2")).status).toBe(429);
  });

  test("with TRUST_PROXY=2, the second entry from the right is the client", async () => {
    const a = await start({ global: 1 }, 2);
    expect((await get(a, DESCRIBE, { "X-Forwarded-For": "10.0.0.5, 192.168.1.1" })).status).toBe(200);
    expect((await get(a, DESCRIBE, { "X-Forwarded-For": "10.0.0.6, 192.168.1.1" })).status).toBe(200);
    expect((await get(a, DESCRIBE, { "X-Forwarded-For": "1.1.1.1, 10.0.0.5, 192.168.1.1" })).status).toBe(429);
  });

  test("exempt CIDRs apply to the forwarded client address", async () => {
    const a = await start({ global: 1, exemptCidrs: ["2001:db8::/32"] }, 1);
    for (let i = 0; i < 3; i++) expect((await get(a, DESCRIBE, { "X-Forwarded-For": "2001:db8::42" })).status).toBe(200);
    expect((await get(a, DESCRIBE, { "X-Forwarded-For": "2001:db9::42" })).status).toBe(200);
    expect((await get(a, DESCRIBE, { "X-Forwarded-For": "2001:db9::42" })).status).toBe(429);
  });
});

describe("endpoint limiter", () => {
  test("the discovery bucket limits its route and sends its own headers", async () => {
    const a = await start({ global: 100, discovery: 2 });
    const list = "/xrpc/net.openfederation.test.list";
    for (let i = 1; i <= 2; i++) {
      const res = await get(a, list);
      expect(res.status).toBe(200);
      expect(res.headers.get("ratelimit-limit")).toBe("2");
    }
    const res = await get(a, list);
    expect(res.status).toBe(429);
    expect((await errorBody(res)).error).toBe("RateLimitExceeded");
    expect(res.headers.get("retry-after")).toMatch(/^[1-9][0-9]*$/);
    // Other routes still pass the global limiter.
    const other = await get(a, DESCRIBE);
    expect(other.status).toBe(200);
    expect(other.headers.get("ratelimit-limit")).toBe("100");
  });

  test("method lookup and verb errors come before the endpoint limiter", async () => {
    const a = await start({ global: 100, discovery: 1 });
    const list = "/xrpc/net.openfederation.test.list";
    for (let i = 0; i < 3; i++) expect((await fetch(a.url + list, { method: "POST" })).status).toBe(400);
    expect((await get(a, list)).status).toBe(200);
    expect((await get(a, list)).status).toBe(429);
  });
});
