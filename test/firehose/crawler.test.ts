// Crawler notifier (spec 03 §7): requestCrawl {hostname} at start, again after events only when the last success is 20 min old.
import { afterAll, describe, expect, test } from "bun:test";
import { CrawlerNotifier, RENOTIFY_AFTER_MS, RETRY_SPACING_MS } from "../../src/crawler/index.ts";
import { createLogger } from "../../src/util/logger.ts";
import { waitFor } from "../_support/process.ts";
import type { RunningPds } from "../_support/pds.ts";
import { startFirehosePds } from "./_support.ts";

describe("against a loopback stand-in for a relay", () => {
  const received: Array<{ path: string; method: string; type: string | null; body: unknown }> = [];
  // stand-in for an external relay (not our server): records what it is sent
  const relay = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      received.push({ path: new URL(req.url).pathname, method: req.method, type: req.headers.get("content-type"), body: await req.json() });
      return new Response(null, { status: 200 });
    },
  });
  let pds: RunningPds;
  afterAll(async () => {
    await pds?.stop();
    relay.stop(true);
  });

  test("the server POSTs com.atproto.sync.requestCrawl {hostname} once at start", async () => {
    pds = await startFirehosePds({ CRAWLERS: `http://127.0.0.1:${relay.port}/`, PDS_HOSTNAME: "pds.example.test" });
    await waitFor(async () => received.length >= 1, 10_000, "requestCrawl");
    expect(received).toEqual([{ path: "/xrpc/com.atproto.sync.requestCrawl", method: "POST", type: "application/json", body: { hostname: "pds.example.test" } }]);
  }, 30_000);
});

describe("notification timing (injected clock)", () => {
  function setup(status: () => number) {
    let now = 1_000_000;
    const calls: number[] = [];
    const logger = createLogger({ level: "error", format: "json" });
    const notifier = new CrawlerNotifier({
      crawlers: ["https://relay.example"],
      hostname: "pds.example",
      logger,
      now: () => now,
      fetch: (async () => {
        calls.push(now);
        return new Response(null, { status: status() });
      }) as unknown as typeof fetch,
    });
    return { notifier, calls, advance: (ms: number) => (now += ms), settle: () => notifier.idle() };
  }

  test("at start, then on an event only once the last success is 20 min old, never more often", async () => {
    const { notifier, calls, advance, settle } = setup(() => 200);
    notifier.start();
    await settle();
    expect(calls).toHaveLength(1);
    for (let i = 0; i < 19; i++) {
      advance(60_000);
      notifier.onEvent();
      await settle();
    }
    expect(calls).toHaveLength(1);
    advance(60_000);
    notifier.onEvent();
    notifier.onEvent();
    await settle();
    expect(calls).toHaveLength(2);
    expect(calls[1]! - calls[0]!).toBe(RENOTIFY_AFTER_MS);
  });

  test("a failure is retried on a later event (not sooner than the retry spacing), then counts as success", async () => {
    let status = 503;
    const { notifier, calls, advance, settle } = setup(() => status);
    notifier.start();
    await settle();
    notifier.onEvent();
    await settle();
    expect(calls).toHaveLength(1);
    advance(RETRY_SPACING_MS);
    status = 200;
    notifier.onEvent();
    await settle();
    expect(calls).toHaveLength(2);
    advance(60_000);
    notifier.onEvent();
    await settle();
    expect(calls).toHaveLength(2);
  });
});
