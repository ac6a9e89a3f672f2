// Partner limits against the real server: the per-key hourly window (in the database, on the injected clock), the
// per-IP registration limiter for browser calls only, and PARTNER_API_ENABLED=false.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { call, ok } from "../_support/xrpc.ts";
import { ADMIN, COUNTED, ORIGIN, createKey, expectError, login, nextName, register, snapshot } from "./_partner.ts";

const MINUTE = 60_000;

describe("per-IP registration limiter (2/h here) applies only to browser calls", () => {
  let pds: RunningPds;
  let admin: string;
  beforeAll(async () => {
    pds = await startPds({ ...ADMIN, ...COUNTED, REGISTRATION_RATE_LIMIT: "2" });
    admin = await login(pds);
  });
  afterAll(async () => {
    await pds?.stop();
  });

  test("six server-to-server calls from one IP in an hour all succeed; the third browser call is 429 and writes nothing", async () => {
    const { key } = await createKey(pds, admin);
    for (let i = 0; i < 6; i++) expect((await register(pds, key)).status).toBe(200);
    // the IP bucket was untouched by those six: two browser calls pass, the third is refused
    expect((await register(pds, key, { origin: ORIGIN })).status).toBe(200);
    expect((await register(pds, key, { origin: ORIGIN })).status).toBe(200);
    const before = await snapshot(pds, admin);
    const refused = await register(pds, key, { origin: ORIGIN });
    expectError(refused, 429, "RateLimitExceeded");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(refused.headers.get("ratelimit-limit")).toBe("2");
    expect(await snapshot(pds, admin)).toEqual(before);
    // and server-to-server calls still go through after the browser bucket is spent
    expect((await register(pds, key)).status).toBe(200);
    const keys = await ok(call(pds.url, "net.openfederation.partner.listKeys", { token: admin }));
    expect(keys.keys[0].totalRegistrations).toBe(9);
  });

  test("the per-IP window runs on the server's clock: an hour later on the moved clock a browser call passes again", async () => {
    const { key } = await createKey(pds, admin, { name: "clocked" });
    // the browser bucket is spent by the test above (or by these two, if run alone)
    for (let i = 0; i < 2; i++) await register(pds, key, { origin: ORIGIN });
    expectError(await register(pds, key, { origin: ORIGIN }), 429, "RateLimitExceeded");
    pds.advanceClock(61 * MINUTE); // no wall-clock wait: only the injected clock moves
    expect((await register(pds, key, { origin: ORIGIN })).status).toBe(200);
    admin = await login(pds); // the old access token expired on the moved clock
  });
});

describe("per-key hourly limit", () => {
  let pds: RunningPds;
  beforeAll(async () => {
    pds = await startPds(ADMIN);
  });
  afterAll(async () => {
    await pds?.stop();
  });

  test("a 100/h key: 105 concurrent registrations give exactly 100 accounts; the next is 429 with Retry-After; the window resets on the clock", async () => {
    let admin = await login(pds);
    const k = await createKey(pds, admin);
    expect(k.rateLimitPerHour).toBe(100); // PARTNER_DEFAULT_RATE_LIMIT's default
    const names = Array.from({ length: 105 }, () => nextName("burst"));
    const replies = await Promise.all(names.map((name) => register(pds, k.key, { name })));
    const okCount = replies.filter((r) => r.status === 200).length;
    const refused = replies.filter((r) => r.status !== 200);
    expect(okCount).toBe(100);
    for (const r of refused) expectError(r, 429, "RateLimitExceeded", /100 accounts per hour/);

    // the 101st (sequential) call: 429 with Retry-After close to an hour, nothing written
    const before = await snapshot(pds, admin);
    const over = await register(pds, k.key);
    expectError(over, 429, "RateLimitExceeded");
    const retry = Number(over.headers.get("retry-after"));
    expect(retry).toBeGreaterThan(3000);
    expect(retry).toBeLessThanOrEqual(3600);
    expect(await snapshot(pds, admin)).toEqual(before);
    expect(before.keys.find((row: unknown[]) => row[0] === k.id)![2]).toBe(100);

    // 30 minutes later still refused, with a Retry-After about 30 minutes shorter
    pds.advanceClock(30 * MINUTE);
    const still = await register(pds, k.key);
    expectError(still, 429, "RateLimitExceeded");
    expect(Number(still.headers.get("retry-after"))).toBeLessThanOrEqual(retry - 1700);

    // past the window: accepted again
    pds.advanceClock(31 * MINUTE);
    const again = await register(pds, k.key);
    expect(again.status).toBe(200);
    admin = await login(pds); // the old access token expired on the moved clock
    const keys = await ok(call(pds.url, "net.openfederation.partner.listKeys", { token: admin }));
    expect(keys.keys.find((x: { id: string }) => x.id === k.id).totalRegistrations).toBe(101);
  }, 120_000);

  test("a key's own rateLimitPerHour (2/h) is independent of other keys", async () => {
    const admin = await login(pds);
    const small = await createKey(pds, admin, { name: "small", rateLimitPerHour: 2 });
    const other = await createKey(pds, admin, { name: "other", rateLimitPerHour: 2 });
    expect((await register(pds, small.key)).status).toBe(200);
    expect((await register(pds, small.key)).status).toBe(200);
    expectError(await register(pds, small.key), 429, "RateLimitExceeded");
    expect((await register(pds, other.key)).status).toBe(200);
  });
});

describe("PARTNER_API_ENABLED=false", () => {
  let pds: RunningPds;
  beforeAll(async () => {
    pds = await startPds({ ...ADMIN, PARTNER_API_ENABLED: "false" });
  });
  afterAll(async () => {
    await pds?.stop();
  });

  test("partner.register answers 403 PartnerApiDisabled whatever the key, and writes nothing", async () => {
    const admin = await login(pds);
    const { key } = await createKey(pds, admin); // keys can still be managed
    const before = await snapshot(pds, admin);
    expectError(await register(pds, key), 403, "PartnerApiDisabled");
    expectError(await register(pds, key, { origin: ORIGIN }), 403, "PartnerApiDisabled");
    expectError(await register(pds, undefined), 403, "PartnerApiDisabled");
    expect(await snapshot(pds, admin)).toEqual(before);
  });
});
