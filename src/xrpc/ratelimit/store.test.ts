// The in-memory rate-limit store: fixed windows, expiry and a bounded key count.
import { expect, test } from "bun:test";
import type { RateLimitConfig } from "../../config/types.ts";
import { IpRateLimiter } from "./limiter.ts";
import { MemoryRateLimitStore } from "../../ratelimit/store.ts";

test("counts within a window and resets after it", async () => {
  const s = new MemoryRateLimitStore();
  expect(await s.hit("k", 1000, 0)).toEqual({ count: 1, resetAt: 1000 });
  expect(await s.hit("k", 1000, 999)).toEqual({ count: 2, resetAt: 1000 });
  expect(await s.hit("k", 1000, 1000)).toEqual({ count: 1, resetAt: 2000 });
});

test("expired windows are swept, so memory does not grow with old keys", async () => {
  const s = new MemoryRateLimitStore({ sweepEveryMs: 100 });
  for (let i = 0; i < 1000; i++) await s.hit(`ip${i}`, 50, 0);
  expect(s.size).toBe(1000);
  await s.hit("late", 50, 200);
  expect(s.size).toBe(1);
});

test("the key count is capped even inside one window", async () => {
  const s = new MemoryRateLimitStore({ maxKeys: 100 });
  for (let i = 0; i < 10_000; i++) await s.hit(`ip${i}`, 60_000, i);
  expect(s.size).toBe(100);
  expect((await s.hit("ip9999", 60_000, 10_000)).count).toBe(2); // the newest survive
});

test("limiter: remaining, reset and 429 with Retry-After", async () => {
  let now = 0;
  const config: RateLimitConfig = { enabled: true, global: 2, auth: 1, registration: 1, create: 1, discovery: 1, proxy: 1, exemptCidrs: ["10.0.0.0/8"] };
  const l = new IpRateLimiter(config, new MemoryRateLimitStore(), () => now);
  expect(await l.consume("global", "1.1.1.1")).toEqual({ "RateLimit-Limit": "2", "RateLimit-Remaining": "1", "RateLimit-Reset": "60" });
  now = 30_500;
  expect((await l.consume("global", "1.1.1.1"))!["RateLimit-Reset"]).toBe("30");
  const err = await l.consume("global", "1.1.1.1").catch((e) => e);
  expect(err).toMatchObject({ status: 429, error: "RateLimitExceeded" });
  expect(err.headers["Retry-After"]).toBe("30");
  expect(await l.consume("global", "10.2.3.4")).toBeUndefined();
  // buckets are independent
  expect(await l.consume("auth", "1.1.1.1")).toBeTruthy();
  now = 60_000;
  expect(await l.consume("global", "1.1.1.1")).toBeTruthy();
});
