// Per-IP request limits (§3 step 9): POST 300 / 5 min and GET 3000 / 5 min -> 429; dev loopback exempt.
import { describe, expect, test } from "bun:test";
import { genesis, get, k256, post, startTestPlc } from "./_support.ts";

const ip = (n: number) => ({ "x-forwarded-for": `203.0.113.${n}` });

describe("per-IP limits", () => {
  test("POST: the 301st request from one client IP -> 429 after validation, nothing written; other IPs unaffected", async () => {
    const plc = await startTestPlc({ dev: false, trustProxy: 1 });
    try {
      const did = "did:plc:ffffffffffffffffffffffff";
      const first = await Promise.all(Array.from({ length: 300 }, () => post(plc.url, did, {}, ip(1))));
      expect(first.every((r) => r.status === 400)).toBe(true);
      // Over the limit an invalid op still reports its own error first (first failure wins) ...
      expect((await post(plc.url, did, {}, ip(1))).status).toBe(400);
      // ... and a valid one is refused with 429 and not written.
      const g = await genesis(await k256());
      const r = await post(plc.url, g.did, g.op, ip(1));
      expect(r.status).toBe(429);
      expect(typeof r.body.message).toBe("string");
      expect(r.headers.get("access-control-allow-origin")).toBe("*");
      expect((await get(plc.url, `/${g.did}`, ip(2))).status).toBe(404);
      // Another client (the proxy's right-most XFF hop) has its own budget.
      expect((await post(plc.url, g.did, g.op, { "x-forwarded-for": "198.51.100.7, 203.0.113.2" })).status).toBe(200);
    } finally {
      await plc.close();
    }
  });

  test("GET: the 3001st request -> 429 {message}", async () => {
    const plc = await startTestPlc({ dev: false, trustProxy: 1 });
    try {
      for (let i = 0; i < 3000; i += 500) {
        const rs = await Promise.all(Array.from({ length: 500 }, () => fetch(plc.url + "/", { headers: ip(3) }).then((r) => r.status)));
        expect(rs.every((s) => s === 200)).toBe(true);
      }
      const r = await get(plc.url, "/", ip(3));
      expect(r.status).toBe(429);
      expect(typeof r.body.message).toBe("string");
      expect((await get(plc.url, "/", ip(4))).status).toBe(200);
    } finally {
      await plc.close();
    }
  });

  test("loopback is exempt in dev; without trustProxy X-Forwarded-For is ignored", async () => {
    const plc = await startTestPlc({ dev: true, trustProxy: 0 });
    try {
      await Promise.all(Array.from({ length: 310 }, () => post(plc.url, "did:plc:ffffffffffffffffffffffff", {}, ip(5))));
      const g = await genesis(await k256());
      expect((await post(plc.url, g.did, g.op, ip(5))).status).toBe(200);
    } finally {
      await plc.close();
    }
  });

  test("rateLimitsEnabled=false turns the per-IP limits off", async () => {
    const plc = await startTestPlc({ dev: false, rateLimitsEnabled: false });
    try {
      await Promise.all(Array.from({ length: 310 }, () => post(plc.url, "did:plc:ffffffffffffffffffffffff", {})));
      const g = await genesis(await k256());
      expect((await post(plc.url, g.did, g.op)).status).toBe(200);
    } finally {
      await plc.close();
    }
  });
});
