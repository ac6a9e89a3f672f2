// Service proxying failures (spec 10 §1.2-§1.5): an upstream that hangs, redirects, declares or streams more than the
// limit, or stalls mid-body (small limits via OFPDS_DEV_PROXY_LIMITS); PROXY_AUD_FRAGMENT; and a server that refuses
// private addresses (ALLOW_PRIVATE_NETWORK_FETCH=false) with no AppView configured: refusals with no connection made.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Secp256k1Keypair } from "@atproto/crypto";
import * as plcLib from "@did-plc/lib";
import { approvedUser, call, startEnv, type Env } from "../account/_support.ts";
import { waitFor } from "../_support/process.ts";
import { fakeService, verifyServiceJwt, type FakeService, type Hit } from "./_support.ts";

const LIMIT = 4096;
let release: () => void = () => {};
const released = new Promise<void>((r) => (release = r));

/** Upstream behaviours by NSID. */
function answer(hit: Hit): Response | Promise<Response> {
  switch (hit.path.slice("/xrpc/".length)) {
    case "app.bsky.test.hang":
      return released.then(() => Response.json({ late: true }));
    case "app.bsky.test.redirect":
      return new Response(null, { status: 302, headers: { location: "http://127.0.0.1:1/elsewhere" } });
    case "app.bsky.test.declaredTooLarge":
      return new Response(new Uint8Array(LIMIT + 1), { headers: { "content-type": "application/octet-stream" } });
    case "app.bsky.test.streamsTooMuch":
      return new Response(chunks(8, 1024), { headers: { "content-type": "application/octet-stream" } });
    case "app.bsky.test.stalls":
      return new Response(chunks(1, 512, released), { headers: { "content-type": "application/octet-stream" } });
    case "app.bsky.test.errorStalls":
      return new Response(chunks(1, 10, released), { status: 404, headers: { "content-type": "application/json" } });
    case "app.bsky.test.atLimit":
      return new Response(chunks(4, 1024), { headers: { "content-type": "application/octet-stream" } });
    default:
      return Response.json({ ok: true });
  }
}

/** `n` chunks of `size` bytes without a content-length; then, when `hold` is given, nothing until it resolves. */
function chunks(n: number, size: number, hold?: Promise<void>): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    async pull(c) {
      if (sent < n) {
        sent++;
        c.enqueue(new Uint8Array(size).fill(65));
        await Bun.sleep(5); // separate chunks on the wire (the fake's pacing, not a test wait)
        return;
      }
      if (hold) await hold;
      c.close();
    },
  });
}

let A: Env, B: Env;
let appView: FakeService, victim: FakeService;
let userA: Awaited<ReturnType<typeof approvedUser>>, userB: Awaited<ReturnType<typeof approvedUser>>;

beforeAll(async () => {
  appView = fakeService({ bsky_appview: "BskyAppView" }, answer);
  victim = fakeService({ bsky_appview: "BskyAppView" }, () => Response.json({ reached: true }));
  [A, B] = await Promise.all([
    startEnv({ BSKY_APP_VIEW_URL: appView.url, BSKY_APP_VIEW_DID: appView.did, PROXY_AUD_FRAGMENT: "true", RATE_LIMITS_ENABLED: "true", RATE_LIMIT_EXEMPT_CIDRS: "192.0.2.1/32", GLOBAL_RATE_LIMIT: "100000", PROXY_RATE_LIMIT: "12", OFPDS_DEV_PROXY_LIMITS: `headersMs=1500,idleMs=1000,maxBytes=${LIMIT}` }),
    startEnv({ ALLOW_PRIVATE_NETWORK_FETCH: "false" }),
  ]);
  [userA, userB] = await Promise.all([approvedUser(A), approvedUser(B)]);
}, 60_000);

afterAll(async () => {
  release();
  await Promise.all([A?.stop(), B?.stop()]);
  appView?.stop();
  victim?.stop();
});

/** The server's log lines are written after the response: wait for the one naming the reason. */
const logged = (e: Env, text: string) => waitFor(async () => e.pds.logs().includes(text), 5_000, `the log to mention ${text}`);

const get = (e: Env, token: string, nsid: string, headers: Record<string, string> = {}) =>
  fetch(`${e.url}/xrpc/${nsid}`, { headers: { authorization: `Bearer ${token}`, ...headers } });

describe("upstream limits (headers 1.5 s, idle 1 s, 4 KiB in this suite)", () => {
  test("PROXY_AUD_FRAGMENT=true: aud is <did>#bsky_appview", async () => {
    expect((await get(A, userA.accessJwt, "app.bsky.feed.getTimeline")).status).toBe(200);
    const { claims } = await verifyServiceJwt(appView.hits.at(-1)!.headers.get("authorization"), A.pds.plcUrl);
    expect(claims.aud).toBe(`${appView.did}#bsky_appview`);
  });

  test("response headers not within the limit → 502 UpstreamFailure 'Upstream service unreachable'", async () => {
    const res = await get(A, userA.accessJwt, "app.bsky.test.hang");
    expect([res.status, await res.json()]).toEqual([502, { error: "UpstreamFailure", message: "Upstream service unreachable" }]);
    await logged(A, "response headers timed out");
  });

  test("an upstream redirect is not followed → 502", async () => {
    const res = await get(A, userA.accessJwt, "app.bsky.test.redirect");
    expect([res.status, ((await res.json()) as { error: string }).error]).toEqual([502, "UpstreamFailure"]);
  });

  test("a content-length over the limit → 502 before any body byte is relayed", async () => {
    const res = await get(A, userA.accessJwt, "app.bsky.test.declaredTooLarge");
    expect([res.status, ((await res.json()) as { error: string }).error]).toEqual([502, "UpstreamFailure"]);
  });

  test("an error answer whose body stalls → its status with the standard name once the idle limit passes", async () => {
    const res = await get(A, userA.accessJwt, "app.bsky.test.errorStalls");
    expect([res.status, await res.json()]).toEqual([404, { error: "NotFound", message: "Upstream service returned 404" }]);
  });

  test("exactly the limit streams through whole", async () => {
    const res = await get(A, userA.accessJwt, "app.bsky.test.atLimit");
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBe(LIMIT);
  });

  test("a body that overflows while streaming: the client's connection is aborted, never a complete-looking body", async () => {
    const outcome = await get(A, userA.accessJwt, "app.bsky.test.streamsTooMuch")
      .then(async (res) => `complete ${res.status} ${(await res.arrayBuffer()).byteLength}`)
      .catch((err: Error) => `aborted ${String(err)}`);
    expect(outcome).toStartWith("aborted");
    await logged(A, "response over the size limit");
  });

  test("a body that stalls longer than the idle limit: the stream is aborted after the bytes already sent", async () => {
    const res = await get(A, userA.accessJwt, "app.bsky.test.stalls");
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let received = 0;
    const outcome = await (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return "ended";
        received += value.byteLength;
      }
    })().catch(() => "aborted");
    expect([outcome, received]).toEqual(["aborted", 512]);
    await logged(A, "body idle timeout");
    // the server keeps serving
    expect((await get(A, userA.accessJwt, "app.bsky.feed.getTimeline")).status).toBe(200);
  });
});

describe("the per-account proxy limiter (PROXY_RATE_LIMIT=12 per 5 min, 10 §1.5)", () => {
  test("the 13th proxied request of one account → 429 with nothing forwarded; another account is unaffected; the window passes on the server clock", async () => {
    const [u, other] = await Promise.all([approvedUser(A), approvedUser(A)]);
    for (let i = 1; i <= 12; i++) {
      const res = await get(A, u.accessJwt, "app.bsky.feed.getTimeline");
      expect([res.status, res.headers.get("ratelimit-limit"), res.headers.get("ratelimit-remaining")]).toEqual([200, "12", String(12 - i)]);
    }
    const n = appView.hits.length;
    const over = await get(A, u.accessJwt, "app.bsky.feed.getTimeline");
    expect([over.status, ((await over.json()) as { error: string }).error]).toEqual([429, "RateLimitExceeded"]);
    expect(over.headers.get("retry-after")).toBeTruthy();
    expect(appView.hits.length).toBe(n);
    expect((await get(A, other.accessJwt, "app.bsky.feed.getTimeline")).status).toBe(200);
    // local methods are not counted against it
    expect((await call(A.url, "com.atproto.server.getSession", { token: u.accessJwt })).status).toBe(200);
    // a request refused before its caller is known is charged to the global IP limiter instead (no proxy headers)
    const bad = await get(A, "not-a-token", "app.bsky.feed.getTimeline");
    expect([bad.status, bad.headers.get("ratelimit-limit")]).toEqual([401, "100000"]);
    const unknown = await get(A, u.accessJwt, "com.example.nothing.here");
    expect([unknown.status, unknown.headers.get("ratelimit-limit")]).toEqual([404, "100000"]);
    A.pds.advanceClock(5 * 60_000 + 1_000);
    expect((await get(A, u.accessJwt, "app.bsky.feed.getTimeline")).status).toBe(200);
  });
});

describe("a server refusing private addresses, with no services configured", () => {
  /** A did:plc in B's directory whose #bsky_appview endpoint is `endpoint`. */
  async function plcServiceDid(endpoint: string): Promise<string> {
    const rotation = await Secp256k1Keypair.create();
    const op = await plcLib.signOperation(
      { type: "plc_operation", rotationKeys: [rotation.did()], verificationMethods: { atproto: rotation.did() }, alsoKnownAs: [], services: { bsky_appview: { type: "BskyAppView", endpoint } }, prev: null },
      rotation,
    );
    const did = await plcLib.didForCreateOp(op);
    const res = await fetch(`${B.pds.plcUrl}/${did}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(op) });
    if (!res.ok) throw new Error(`PLC refused: ${res.status} ${await res.text()}`);
    return did;
  }

  test("default routes without a service → 404 MethodNotFound naming the setting", async () => {
    const timeline = await call(B.url, "app.bsky.feed.getTimeline", { token: userB.accessJwt });
    expect([timeline.status, timeline.body]).toEqual([404, { error: "MethodNotFound", message: "No AppView is configured on this server (BSKY_APP_VIEW_URL); send atproto-proxy to choose one" }]);
    const chat = await call(B.url, "chat.bsky.convo.listConvos", { token: userB.accessJwt });
    expect([chat.status, chat.body.message]).toEqual([404, "No chat service is configured on this server (BSKY_CHAT_URL); send atproto-proxy to choose one"]);
    const report = await call(B.url, "com.atproto.moderation.createReport", { token: userB.accessJwt, body: { reasonType: "com.atproto.moderation.defs#reasonSpam", subject: { $type: "com.atproto.admin.defs#repoRef", did: userB.did } } });
    expect([report.status, report.body]).toEqual([404, { error: "MethodNotFound", message: "No report service is configured on this server" }]);
  });

  test("endpoints at 10.0.0.5 and at loopback → 502 UpstreamFailure, no connection made", async () => {
    for (const endpoint of ["https://10.0.0.5", `https://127.0.0.1:${victim.port}`, `https://[::ffff:127.0.0.1]:${victim.port}`]) {
      const did = await plcServiceDid(endpoint);
      const res = await call(B.url, "app.bsky.feed.getTimeline", { token: userB.accessJwt, headers: { "atproto-proxy": `${did}#bsky_appview` } });
      expect([endpoint, res.status, res.body]).toEqual([endpoint, 502, { error: "UpstreamFailure", message: "Upstream service unreachable" }]);
    }
    expect(victim.hits).toHaveLength(0);
    await logged(B, "is loopback");
  });

  test("an http endpoint → 400 could not resolve proxy did service url; a did:web on localhost → 400 could not resolve proxy did; nothing fetched", async () => {
    const did = await plcServiceDid(`http://127.0.0.1:${victim.port}`);
    const http = await call(B.url, "app.bsky.feed.getTimeline", { token: userB.accessJwt, headers: { "atproto-proxy": `${did}#bsky_appview` } });
    expect([http.status, http.body]).toEqual([400, { error: "InvalidRequest", message: "could not resolve proxy did service url" }]);
    const web = await call(B.url, "app.bsky.feed.getTimeline", { token: userB.accessJwt, headers: { "atproto-proxy": `${victim.did}#bsky_appview` } });
    expect([web.status, web.body]).toEqual([400, { error: "InvalidRequest", message: "could not resolve proxy did" }]);
    expect([victim.hits.length, victim.docFetches()]).toEqual([0, 0]);
  });
});
