// The per-IP limits of the unauthenticated mail-token methods (06 §11): requestPasswordReset 15/h, resetPassword and
// server.deleteAccount 50 per 5 min together; loopback is made non-exempt here so the limits apply.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { call, startEnv, type Env } from "../account/_support.ts";

const S = "com.atproto.server";
let e: Env;
beforeAll(async () => {
  e = await startEnv({ RATE_LIMITS_ENABLED: "true", RATE_LIMIT_EXEMPT_CIDRS: "192.0.2.0/24" }, { bootstrap: false });
});
afterAll(async () => {
  await e?.stop();
});

test("the 16th requestPasswordReset in an hour → 429 RateLimitExceeded with Retry-After", async () => {
  for (let i = 0; i < 15; i++) expect((await call(e.url, `${S}.requestPasswordReset`, { body: { email: `nobody${i}@example.org` } })).status).toBe(200);
  const r = await call(e.url, `${S}.requestPasswordReset`, { body: { email: "nobody@example.org" } });
  expect([r.status, r.body.error]).toEqual([429, "RateLimitExceeded"]);
  expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
});

test("resetPassword and deleteAccount share 50 per 5 min per IP; after 5 minutes (dev clock) they are allowed again", async () => {
  for (let i = 0; i < 50; i++) {
    const r = await call(e.url, `${S}.resetPassword`, { body: { token: "AAAAA-AAAAA", password: "New-password-42" } });
    expect(r.body.error).toBe("InvalidToken");
  }
  const over = await call(e.url, `${S}.resetPassword`, { body: { token: "AAAAA-AAAAA", password: "New-password-42" } });
  expect([over.status, over.body.error]).toEqual([429, "RateLimitExceeded"]);
  const del = await call(e.url, `${S}.deleteAccount`, { body: { did: "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", password: "x", token: "AAAAA-AAAAA" } });
  expect([del.status, del.body.error]).toEqual([429, "RateLimitExceeded"]);
  e.pds.advanceClock(5 * 60_000 + 1000);
  expect((await call(e.url, `${S}.resetPassword`, { body: { token: "AAAAA-AAAAA", password: "New-password-42" } })).body.error).toBe("InvalidToken");
});
