// The XRPC core inside the real `ofpds serve --dev` process: dev defaults, limits from the environment.
import { afterEach, describe, expect, test } from "bun:test";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { waitFor } from "../_support/process.ts";
import { createLexiconRegistry } from "../../src/lexicon/registry.ts";

let pds: RunningPds | undefined;
afterEach(async () => {
  await pds?.stop();
  pds = undefined;
});

describe("real server process", () => {
  test("health, describeServer, request log line, dev loopback exemption", async () => {
    pds = await startPds({ GLOBAL_RATE_LIMIT: "2" });
    expect((await fetch(pds.url + "/xrpc/_health")).status).toBe(200);
    for (let i = 0; i < 4; i++) {
      const res = await fetch(pds.url + "/xrpc/com.atproto.server.describeServer?q=hidden");
      expect(res.status).toBe(200); // dev default RATE_LIMIT_EXEMPT_CIDRS covers loopback
      const body = await res.json();
      createLexiconRegistry().lexicons.assertValidXrpcOutput("com.atproto.server.describeServer", body);
      if (i === 0) {
        const id = res.headers.get("x-request-id")!;
        const lineOf = () => pds!.logs().split("\n").find((l) => l.includes(id) && l.includes('"request"'));
        // the log line is written after the response: wait for it rather than sleeping a fixed time
        await waitFor(async () => lineOf() !== undefined, 10_000, "the request log line");
        expect(JSON.parse(lineOf()!)).toMatchObject({ method: "GET", path: "/xrpc/com.atproto.server.describeServer", status: 200 });
      }
    }
  }, 60_000);

  test("GLOBAL_RATE_LIMIT with no exemption → 429; TRUST_PROXY keys on X-Forwarded-For", async () => {
    pds = await startPds({ GLOBAL_RATE_LIMIT: "2", RATE_LIMIT_EXEMPT_CIDRS: "", TRUST_PROXY: "1" });
    const call = (ip: string) => fetch(pds!.url + "/xrpc/com.atproto.server.describeServer", { headers: { "X-Forwarded-For": ip } });
    expect((await call("203.0.113.1")).status).toBe(200);
    expect((await call("203.0.113.1")).status).toBe(200);
    const limited = await call("203.0.113.1");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toMatch(/^[1-9][0-9]*$/);
    expect((await call("203.0.113.2")).status).toBe(200);
    expect((await fetch(pds.url + "/xrpc/_health")).status).toBe(200);
  }, 60_000);
});
