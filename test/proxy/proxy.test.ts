// Service proxying (spec 10 §1, §2, §6) against `ofpds serve --dev` with fake REMOTE services on loopback: an AppView
// (configured), a chat service (configured), a report service (configured) and a second labeler reached only by
// the atproto-proxy header. Every fake verifies our service JWT against the caller's document in the real PLC.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { AtpAgent } from "@atproto/api";
import { approvedUser, call, invite, ok, PASSWORD, startEnv, uniq, type Env } from "../account/_support.ts";
import { waitFor } from "../_support/process.ts";
import { fakeService, verifyServiceJwt, type FakeService, type Hit } from "./_support.ts";

const TIMELINE = { feed: [{ post: { uri: "at://did:plc:aaaaaaaaaaaaaaaaaaaaaaaa/app.bsky.feed.post/1", cid: "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm", author: { did: "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", handle: "a.test" }, record: { $type: "app.bsky.feed.post", text: "hi", createdAt: "2026-01-01T00:00:00.000Z" }, indexedAt: "2026-01-01T00:00:00.000Z" } }], cursor: "next" };
// bytes with a deliberate layout (spaces, key order) so "unchanged" is checked byte for byte, not as JSON
const TIMELINE_BYTES = `{ "feed" :${JSON.stringify(TIMELINE.feed)}, "cursor":"next" }`;

const MiB = 1024 * 1024;
const GZIPPED_TEXT = "compressed once, by the upstream ".repeat(200);
let upstreamFinished = false;
let releaseBig: () => void = () => {};
/** 1 MiB, then (once the test has seen it arrive) 4 MiB more: 5 MiB in all, never buffered by the PDS. */
function bigBody(): ReadableStream<Uint8Array> {
  upstreamFinished = false;
  const gate = new Promise<void>((r) => (releaseBig = r));
  let step = 0;
  return new ReadableStream({
    async pull(c) {
      step++;
      if (step === 1) return c.enqueue(new Uint8Array(MiB).fill(1));
      if (step === 2) await gate;
      if (step <= 5) return c.enqueue(new Uint8Array(MiB).fill(2));
      upstreamFinished = true;
      c.close();
    },
  });
}

let e: Env;
let appView: FakeService, chat: FakeService, reports: FakeService, labeler: FakeService;
let user: Awaited<ReturnType<typeof approvedUser>>;

/** What the AppView answers, by NSID. */
function appViewAnswer(hit: Hit): Response {
  const nsid = hit.path.slice("/xrpc/".length);
  if (nsid === "app.bsky.feed.getTimeline") {
    return new Response(TIMELINE_BYTES, { headers: { "content-type": "application/json; charset=utf-8", "atproto-content-labelers": "did:plc:ar7c4by46qjdydhdevvrndac", "atproto-repo-rev": "3kabc", "x-internal": "secret", "set-cookie": "a=b" } });
  }
  if (nsid === "app.bsky.feed.getPostThread" && hit.search.includes("found")) return Response.json({ thread: { $type: "app.bsky.feed.defs#threadViewPost", post: TIMELINE.feed[0]!.post, replies: [] } });
  if (nsid === "app.bsky.feed.getPostThread") return Response.json({ error: "NotFound", message: "Post not found", stack: "at internal.ts:1" }, { status: 400 });
  if (nsid === "app.bsky.actor.getProfile") return new Response("boom: database at 10.1.2.3 down", { status: 500 });
  if (nsid === "com.atproto.repo.getRecord" && hit.search.includes("rkey=remote")) {
    return Response.json({ uri: "at://did:plc:aaaaaaaaaaaaaaaaaaaaaaaa/app.bsky.feed.generator/remote", value: { $type: "app.bsky.feed.generator", did: "did:web:remote-feedgen.example.com" } });
  }
  if (nsid === "app.bsky.feed.getFeed") return Response.json({ feed: [] });
  if (nsid === "app.bsky.test.gzipped") return new Response(Bun.gzipSync(new TextEncoder().encode(GZIPPED_TEXT)), { headers: { "content-type": "text/plain", "content-encoding": "gzip" } });
  if (nsid === "app.bsky.test.big") return new Response(bigBody(), { headers: { "content-type": "application/octet-stream" } });
  return Response.json({ ok: true, nsid });
}

beforeAll(async () => {
  appView = fakeService({ bsky_appview: "BskyAppView", bsky_notif: "BskyNotificationService" }, appViewAnswer);
  chat = fakeService({ bsky_chat: "BskyChatService" }, () => Response.json({ convos: [] }));
  reports = fakeService({ atproto_labeler: "AtprotoLabeler" }, (hit) => {
    const input = JSON.parse(new TextDecoder().decode(hit.body)) as { reasonType: string; subject: unknown };
    return Response.json({ id: 1, reasonType: input.reasonType, subject: input.subject, reportedBy: "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", createdAt: "2026-01-01T00:00:00.000Z" });
  });
  labeler = fakeService({ atproto_labeler: "AtprotoLabeler" }, (hit) => new Response(Buffer.from(hit.body), { headers: { "content-type": "application/json" } }));
  e = await startEnv({
    APPROVAL_REQUIRED: "true",
    BSKY_APP_VIEW_URL: appView.url, BSKY_APP_VIEW_DID: appView.did,
    BSKY_CHAT_URL: chat.url, BSKY_CHAT_DID: chat.did,
    REPORT_SERVICE_URL: reports.url, REPORT_SERVICE_DID: reports.did,
  });
  user = await approvedUser(e);
}, 60_000);

afterAll(async () => {
  await e?.stop();
  for (const f of [appView, chat, reports, labeler]) f?.stop();
});

const hitsOf = (f: FakeService, nsid: string) => f.hits.filter((h) => h.path === `/xrpc/${nsid}`);

describe("the default route to the configured AppView", () => {
  test("AtpAgent: login and getTimeline arrive with the query, labelers header and a service JWT that verifies (iss, bare aud, lxm, 60 s)", async () => {
    const agent = new AtpAgent({ service: e.url });
    await agent.login({ identifier: user.name, password: PASSWORD });
    agent.configureLabelers(["did:plc:ar7c4by46qjdydhdevvrndac"]);
    const before = hitsOf(appView, "app.bsky.feed.getTimeline").length;
    const res = await agent.getTimeline({ limit: 7, cursor: "abc" });
    expect(res.data).toEqual(TIMELINE as never);
    const hit = hitsOf(appView, "app.bsky.feed.getTimeline")[before]!;
    expect(hit.method).toBe("GET");
    expect(hit.search).toBe("?limit=7&cursor=abc");
    expect(hit.headers.get("atproto-accept-labelers")).toContain("did:plc:ar7c4by46qjdydhdevvrndac");
    const { header, claims } = await verifyServiceJwt(hit.headers.get("authorization"), e.pds.plcUrl);
    expect(header).toEqual({ alg: "ES256K", typ: "JWT" });
    expect(claims.iss).toBe(user.did);
    expect(claims.aud).toBe(appView.did);
    expect(claims.lxm).toBe("app.bsky.feed.getTimeline");
    expect(claims.exp - claims.iat).toBe(60);
    expect(claims.jti).toMatch(/^[0-9a-f]{32}$/);
  });

  test("status, body bytes, content-type, atproto-content-labelers and atproto-repo-rev come back unchanged; other upstream headers do not", async () => {
    const res = await fetch(`${e.url}/xrpc/app.bsky.feed.getTimeline?limit=5&cursor=a%2Fb%20c&x=%E2%9C%93&x=2`, {
      headers: { authorization: `Bearer ${user.accessJwt}`, cookie: "session=1", "x-forwarded-for": "203.0.113.9", dpop: "proof", "accept-language": "de", "x-bsky-topics": "t1", "accept-encoding": "gzip" },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(TIMELINE_BYTES);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(res.headers.get("atproto-content-labelers")).toBe("did:plc:ar7c4by46qjdydhdevvrndac");
    expect(res.headers.get("atproto-repo-rev")).toBe("3kabc");
    expect(res.headers.get("x-internal")).toBeNull();
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(res.headers.get("x-content-type-options")).toBe("nosniff"); // our security headers are added
    const hit = hitsOf(appView, "app.bsky.feed.getTimeline").at(-1)!;
    expect(hit.search).toBe("?limit=5&cursor=a%2Fb%20c&x=%E2%9C%93&x=2"); // byte for byte
    expect(hit.headers.get("cookie")).toBeNull();
    expect(hit.headers.get("dpop")).toBeNull();
    expect(hit.headers.get("x-forwarded-for")).toBeNull();
    expect(hit.headers.get("atproto-proxy")).toBeNull();
    expect(hit.headers.get("accept-language")).toBe("de");
    expect(hit.headers.get("x-bsky-topics")).toBe("t1");
    expect(hit.headers.get("accept-encoding")).toBe("gzip"); // as received
    expect(hit.headers.get("authorization")).not.toBe(`Bearer ${user.accessJwt}`);
    // the request log line names the target, and never the token
    await waitFor(async () => e.pds.logs().includes(`"proxyTo":"${appView.did}#bsky_appview"`), 5_000, "the request log line with proxyTo");
    expect(e.pds.logs()).not.toContain(hit.headers.get("authorization")!.slice(7));
  });

  test("without accept-encoding from the client the upstream is asked for identity", async () => {
    // node:http sends no accept-encoding of its own (fetch always would)
    const { get } = await import("node:http");
    const status = await new Promise<number>((resolve, reject) => {
      get(`${e.url}/xrpc/app.bsky.feed.getTimeline`, { headers: { authorization: `Bearer ${user.accessJwt}` } }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode!));
      }).on("error", reject);
    });
    expect(status).toBe(200);
    expect(hitsOf(appView, "app.bsky.feed.getTimeline").at(-1)!.headers.get("accept-encoding")).toBe("identity");
  });

  test("a gzip body is relayed as sent: content-encoding kept, bytes not decoded on the way (the client decodes them)", async () => {
    const res = await fetch(`${e.url}/xrpc/app.bsky.test.gzipped`, { headers: { authorization: `Bearer ${user.accessJwt}`, "accept-encoding": "gzip" }, decompress: false } as RequestInit);
    expect([res.status, res.headers.get("content-encoding")]).toEqual([200, "gzip"]);
    const raw = new Uint8Array(await res.arrayBuffer());
    expect(new TextDecoder().decode(Bun.gunzipSync(raw))).toBe(GZIPPED_TEXT);
    expect(raw.byteLength).toBeLessThan(GZIPPED_TEXT.length);
  });

  test("a 5 MiB body starts reaching the client before the upstream has finished", async () => {
    const res = await fetch(`${e.url}/xrpc/app.bsky.test.big`, { headers: { authorization: `Bearer ${user.accessJwt}` } });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let received = 0;
    while (received < MiB) received += (await reader.read()).value!.byteLength;
    expect(upstreamFinished).toBe(false); // the first MiB arrived while the upstream was still holding the rest
    releaseBig();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
    }
    expect([received, upstreamFinished]).toEqual([5 * MiB, true]);
  });

  test("chat.bsky.* with a plain app password → 400 InvalidToken 'Bad token method', nothing forwarded; a privileged one is forwarded", async () => {
    const plain = await ok(call(e.url, "com.atproto.server.createAppPassword", { token: user.accessJwt, body: { name: "plain" } }));
    const priv = await ok(call(e.url, "com.atproto.server.createAppPassword", { token: user.accessJwt, body: { name: "chat", privileged: true } }));
    const login = (password: string) => ok(call(e.url, "com.atproto.server.createSession", { body: { identifier: user.name, password } }));
    const [plainSession, privSession] = [await login(plain.password), await login(priv.password)];
    const n = chat.hits.length;
    const refused = await call(e.url, "chat.bsky.convo.listConvos", { token: plainSession.accessJwt });
    expect([refused.status, refused.body]).toEqual([400, { error: "InvalidToken", message: "Bad token method" }]);
    expect(chat.hits.length).toBe(n);
    // the same plain app password may use the AppView
    expect((await call(e.url, "app.bsky.feed.getTimeline", { token: plainSession.accessJwt })).status).toBe(200);
    const forwarded = await call(e.url, "chat.bsky.convo.listConvos", { token: privSession.accessJwt });
    expect(forwarded.status).toBe(200);
    const { claims } = await verifyServiceJwt(hitsOf(chat, "chat.bsky.convo.listConvos").at(-1)!.headers.get("authorization"), e.pds.plcUrl);
    expect([claims.iss, claims.lxm]).toEqual([user.did, "chat.bsky.convo.listConvos"]);
  });

  test("read-after-write is not spliced (10 §2): after a createRecord the timeline is the AppView's body byte for byte", async () => {
    await ok(call(e.url, "com.atproto.repo.createRecord", { token: user.accessJwt, body: { repo: user.did, collection: "app.bsky.feed.post", record: { $type: "app.bsky.feed.post", text: "fresh", createdAt: new Date().toISOString() } } }));
    const res = await fetch(`${e.url}/xrpc/app.bsky.feed.getTimeline`, { headers: { authorization: `Bearer ${user.accessJwt}` } });
    expect(await res.text()).toBe(TIMELINE_BYTES);
  });

  test("upstream 400 NotFound → 400 NotFound with its message (other fields dropped); upstream 500 → 502 UpstreamFailure without its body", async () => {
    const thread = await call(e.url, "app.bsky.feed.getPostThread", { token: user.accessJwt, params: { uri: "at://x/y/z" } });
    expect([thread.status, thread.body]).toEqual([400, { error: "NotFound", message: "Post not found" }]);
    const profile = await call(e.url, "app.bsky.actor.getProfile", { token: user.accessJwt, params: { actor: "a.test" } });
    expect([profile.status, profile.body.error]).toEqual([502, "UpstreamFailure"]);
    expect(JSON.stringify(profile.body)).not.toContain("10.1.2.3");
  });

  test("a POST body is forwarded unchanged with its content-type", async () => {
    const bytes = '{"seenAt": "2026-01-01T00:00:00.000Z"}';
    const res = await fetch(`${e.url}/xrpc/app.bsky.notification.updateSeen`, { method: "POST", headers: { authorization: `Bearer ${user.accessJwt}`, "content-type": "application/json" }, body: bytes });
    expect(res.status).toBe(200);
    const hit = hitsOf(appView, "app.bsky.notification.updateSeen").at(-1)!;
    expect([hit.method, new TextDecoder().decode(hit.body), hit.headers.get("content-type")]).toEqual(["POST", bytes, "application/json"]);
    const { claims } = await verifyServiceJwt(hit.headers.get("authorization"), e.pds.plcUrl);
    expect(claims.lxm).toBe("app.bsky.notification.updateSeen");
  });

  test("getFeed: the JWT carries the generator's DID (read from the local generator record) as aud and lxm getFeedSkeleton", async () => {
    const gen = await ok(call(e.url, "com.atproto.repo.createRecord", {
      token: user.accessJwt,
      body: { repo: user.did, collection: "app.bsky.feed.generator", rkey: "cats", record: { $type: "app.bsky.feed.generator", did: "did:web:feedgen.example.com", displayName: "Cats", createdAt: new Date().toISOString() } },
    }));
    const res = await call(e.url, "app.bsky.feed.getFeed", { token: user.accessJwt, params: { feed: gen.uri } });
    expect(res.status).toBe(200);
    const { claims } = await verifyServiceJwt(hitsOf(appView, "app.bsky.feed.getFeed").at(-1)!.headers.get("authorization"), e.pds.plcUrl);
    expect([claims.aud, claims.lxm]).toEqual(["did:web:feedgen.example.com", "app.bsky.feed.getFeedSkeleton"]);
    // a feed URI whose generator cannot be found → 400 UnknownFeed, nothing forwarded
    const n = appView.hits.length;
    const unknown = await call(e.url, "app.bsky.feed.getFeed", { token: user.accessJwt, params: { feed: `at://${user.did}/app.bsky.feed.generator/nope` } });
    expect([unknown.status, unknown.body]).toEqual([400, { error: "UnknownFeed", message: "could not resolve feed did" }]);
    // (the AppView was asked for the record with getRecord; the feed itself was not requested)
    expect(appView.hits.slice(n).map((h) => h.path)).toEqual(["/xrpc/com.atproto.repo.getRecord"]);
  });

  test("getFeed for a generator hosted elsewhere: its record read with getRecord on the AppView, then cached", async () => {
    const feed = "at://did:plc:aaaaaaaaaaaaaaaaaaaaaaaa/app.bsky.feed.generator/remote";
    for (let i = 0; i < 2; i++) expect((await call(e.url, "app.bsky.feed.getFeed", { token: user.accessJwt, params: { feed } })).status).toBe(200);
    const lookups = hitsOf(appView, "com.atproto.repo.getRecord").filter((h) => h.search.includes("rkey=remote"));
    expect(lookups).toHaveLength(1);
    expect(lookups[0]!.headers.get("authorization")).toBeNull(); // a public read, no token of the caller
    const { claims } = await verifyServiceJwt(hitsOf(appView, "app.bsky.feed.getFeed").at(-1)!.headers.get("authorization"), e.pds.plcUrl);
    expect([claims.aud, claims.lxm]).toEqual(["did:web:remote-feedgen.example.com", "app.bsky.feed.getFeedSkeleton"]);
  });

  test("registerPush goes to the #bsky_notif service of serviceDid with aud = serviceDid", async () => {
    const body = { serviceDid: appView.did, token: "device", platform: "ios", appId: "xyz.blueskyweb.app" };
    expect((await call(e.url, "app.bsky.notification.registerPush", { token: user.accessJwt, body })).status).toBe(200);
    const { claims } = await verifyServiceJwt(hitsOf(appView, "app.bsky.notification.registerPush").at(-1)!.headers.get("authorization"), e.pds.plcUrl);
    expect([claims.aud, claims.lxm]).toEqual([appView.did, "app.bsky.notification.registerPush"]);
  });

  test("a queued (pending) session may register for push, but not read the timeline (403 AccountNotApproved, nothing forwarded)", async () => {
    const name = uniq("q");
    const q = await ok(call(e.url, "com.atproto.server.createAccount", { body: { handle: `${name}.test`, email: `${name}@example.org`, password: PASSWORD, inviteCode: await invite(e) } }));
    const n = hitsOf(appView, "app.bsky.feed.getTimeline").length;
    const timeline = await call(e.url, "app.bsky.feed.getTimeline", { token: q.accessJwt });
    expect([timeline.status, timeline.body.error]).toEqual([403, "AccountNotApproved"]);
    expect(hitsOf(appView, "app.bsky.feed.getTimeline").length).toBe(n);
    const body = { serviceDid: appView.did, token: "device", platform: "android", appId: "xyz.blueskyweb.app" };
    expect((await call(e.url, "app.bsky.notification.registerPush", { token: q.accessJwt, body })).status).toBe(200);
    const { claims } = await verifyServiceJwt(hitsOf(appView, "app.bsky.notification.registerPush").at(-1)!.headers.get("authorization"), e.pds.plcUrl);
    expect(claims.iss).toBe(q.did);
  });

  test("chat.bsky.* goes to the configured chat service", async () => {
    const res = await call(e.url, "chat.bsky.convo.listConvos", { token: user.accessJwt });
    expect([res.status, res.body]).toEqual([200, { convos: [] }]);
    const { claims } = await verifyServiceJwt(hitsOf(chat, "chat.bsky.convo.listConvos").at(-1)!.headers.get("authorization"), e.pds.plcUrl);
    expect([claims.aud, claims.lxm]).toEqual([chat.did, "chat.bsky.convo.listConvos"]);
  });
});

test("AtpAgent with a privileged app password: timeline, thread, chat conversations and a report, each through its service", async () => {
  const pw = await ok(call(e.url, "com.atproto.server.createAppPassword", { token: user.accessJwt, body: { name: "agent-privileged", privileged: true } }));
  const agent = new AtpAgent({ service: e.url });
  await agent.login({ identifier: user.name, password: pw.password });
  expect((await agent.getTimeline({ limit: 1 })).data.feed).toHaveLength(1);
  const thread = await agent.getPostThread({ uri: "at://did:plc:aaaaaaaaaaaaaaaaaaaaaaaa/app.bsky.feed.post/found" });
  expect((thread.data.thread as { post: { uri: string } }).post.uri).toBe(TIMELINE.feed[0]!.post.uri);
  expect((await agent.chat.bsky.convo.listConvos()).data).toEqual({ convos: [] });
  const post = await agent.post({ text: "report me" });
  const reported = await agent.com.atproto.moderation.createReport({ reasonType: "com.atproto.moderation.defs#reasonSpam", subject: { $type: "com.atproto.repo.strongRef", uri: post.uri, cid: post.cid } });
  expect(reported.data.id).toBe(1);
  const report = hitsOf(reports, "com.atproto.moderation.createReport").at(-1)!;
  expect(JSON.parse(new TextDecoder().decode(report.body)).subject).toEqual({ $type: "com.atproto.repo.strongRef", uri: post.uri, cid: post.cid });
  for (const [f, nsid] of [[appView, "app.bsky.feed.getPostThread"], [chat, "chat.bsky.convo.listConvos"], [reports, "com.atproto.moderation.createReport"]] as const) {
    const { claims } = await verifyServiceJwt(hitsOf(f, nsid).at(-1)!.headers.get("authorization"), e.pds.plcUrl);
    expect([claims.iss, claims.aud, claims.lxm]).toEqual([user.did, f.did, nsid]);
  }
});

describe("the atproto-proxy header", () => {
  test("a second service resolves through its did:web document (cached: one document fetch for two calls)", async () => {
    const proxy = `${labeler.did}#atproto_labeler`;
    for (let i = 0; i < 2; i++) {
      const res = await call(e.url, "app.bsky.labeler.getServices", { token: user.accessJwt, params: { dids: "did:plc:x" }, headers: { "atproto-proxy": proxy } });
      expect(res.status).toBe(200);
    }
    expect(labeler.docFetches()).toBe(1);
    const { claims } = await verifyServiceJwt(hitsOf(labeler, "app.bsky.labeler.getServices").at(-1)!.headers.get("authorization"), e.pds.plcUrl);
    expect([claims.aud, claims.lxm]).toEqual([labeler.did, "app.bsky.labeler.getServices"]);
    expect(hitsOf(appView, "app.bsky.labeler.getServices")).toHaveLength(0);
  });

  test("served locally: atproto-proxy on getSession is ignored", async () => {
    const n = appView.hits.length;
    const res = await call(e.url, "com.atproto.server.getSession", { token: user.accessJwt, headers: { "atproto-proxy": `${appView.did}#bsky_appview` } });
    expect([res.status, res.body.did]).toEqual([200, user.did]);
    expect(appView.hits.length).toBe(n);
  });

  test("getPreferences is local, also with the AppView's own header; with another service's header it is proxied (10 §1.6)", async () => {
    const n = appView.hits.length;
    const local = await call(e.url, "app.bsky.actor.getPreferences", { token: user.accessJwt, headers: { "atproto-proxy": `${appView.did}#bsky_appview` } });
    expect([local.status, Array.isArray(local.body.preferences)]).toEqual([200, true]);
    expect(appView.hits.length).toBe(n);
    const proxied = await call(e.url, "app.bsky.actor.getPreferences", { token: user.accessJwt, headers: { "atproto-proxy": `${labeler.did}#atproto_labeler` } });
    expect(proxied.status).toBe(200);
    const { claims } = await verifyServiceJwt(hitsOf(labeler, "app.bsky.actor.getPreferences").at(-1)!.headers.get("authorization"), e.pds.plcUrl);
    expect(claims.lxm).toBe("app.bsky.actor.getPreferences");
  });

  const allHits = () => [appView, chat, reports, labeler].reduce((n, f) => n + f.hits.length, 0);

  test.each([
    ["com.atproto.admin.searchAccounts", `${"did:web:localhost%3A1"}#bsky_appview`],
    ["com.atproto.server.createInviteCode", "X#Y"],
    ["com.atproto.repo.getRecordX", "X#Y"],
    ["com.atproto.sync.getThing", "X#Y"],
    ["com.atproto.temp.fetchLabels", "X#Y"],
    ["com.atproto.identity.signPlcOperationX", "X#Y"],
    ["net.openfederation.anything.new", "X#Y"],
  ])("protected %s with a header → 404 MethodNotFound, nothing forwarded", async (nsid, header) => {
    const n = allHits();
    const res = await call(e.url, nsid, { token: user.accessJwt, headers: { "atproto-proxy": header.replace("X#Y", `${appView.did}#bsky_appview`) } });
    expect([res.status, res.body.error]).toEqual([404, "MethodNotFound"]);
    expect(allHits()).toBe(n);
  });

  test.each([
    ["#bsky_appview", "no did specified in proxy header"],
    ["did:web:localhost%3A1", "no service id specified in proxy header"],
    ["did:web:localhost%3A1#", "no service id specified in proxy header"],
    ["did:web:localhost%3A1#a#b", "invalid proxy header format"],
    ["notadid#bsky_appview", "invalid proxy header format"],
    ["did:key:zQ3sh#bsky_appview", "invalid proxy header format"],
    ["did:web:local host#bsky_appview", "proxy header cannot contain spaces"],
  ])("malformed header %j → 400 InvalidRequest %j, no connection made", async (header, message) => {
    const n = allHits();
    const docs = labeler.docFetches();
    const res = await call(e.url, "app.bsky.feed.getTimeline", { token: user.accessJwt, headers: { "atproto-proxy": header } });
    expect([res.status, res.body]).toEqual([400, { error: "InvalidRequest", message }]);
    expect([allHits(), labeler.docFetches()]).toEqual([n, docs]);
  });

  test("an unknown DID → 400 could not resolve proxy did; a DID without that service → 400 could not resolve proxy did service url", async () => {
    const n = allHits();
    const unknownWeb = await call(e.url, "app.bsky.feed.getTimeline", { token: user.accessJwt, headers: { "atproto-proxy": "did:web:localhost%3A1#bsky_appview" } });
    expect([unknownWeb.status, unknownWeb.body]).toEqual([400, { error: "InvalidRequest", message: "could not resolve proxy did" }]);
    const unknownPlc = await call(e.url, "app.bsky.feed.getTimeline", { token: user.accessJwt, headers: { "atproto-proxy": "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa#bsky_appview" } });
    expect([unknownPlc.status, unknownPlc.body]).toEqual([400, { error: "InvalidRequest", message: "could not resolve proxy did" }]);
    const noService = await call(e.url, "app.bsky.feed.getTimeline", { token: user.accessJwt, headers: { "atproto-proxy": `${labeler.did}#bsky_appview` } });
    expect([noService.status, noService.body]).toEqual([400, { error: "InvalidRequest", message: "could not resolve proxy did service url" }]);
    // a did:plc without the service (the user's own DID names only #atproto_pds)
    const plcNoService = await call(e.url, "app.bsky.feed.getTimeline", { token: user.accessJwt, headers: { "atproto-proxy": `${user.did}#bsky_appview` } });
    expect([plcNoService.status, plcNoService.body.message]).toEqual([400, "could not resolve proxy did service url"]);
    expect(allHits()).toBe(n);
  });

  test("an unknown non-default NSID without a header → 404 naming it; with a header it is proxied", async () => {
    const none = await call(e.url, "com.example.custom.thing", { token: user.accessJwt });
    expect([none.status, none.body]).toEqual([404, { error: "MethodNotFound", message: "Method not found: com.example.custom.thing" }]);
    const proxied = await call(e.url, "com.example.custom.thing", { token: user.accessJwt, headers: { "atproto-proxy": `${labeler.did}#atproto_labeler` } });
    expect(proxied.status).toBe(200);
  });
});

test("getConfig shows the configured services and the aud rule", async () => {
  const cfg = await ok(call(e.url, "net.openfederation.server.getConfig", { token: e.admin.accessJwt }));
  expect(cfg.services).toEqual({ appView: { url: appView.url, did: appView.did }, chat: { url: chat.url, did: chat.did }, reportService: { url: reports.url, did: reports.did } });
  expect([cfg.proxyAudFragment, cfg.rateLimits.proxy]).toEqual([false, 3000]);
});

describe("credentials and verbs", () => {
  test("no token → 401 AuthRequired; a refresh token or a service JWT → 401 InvalidToken; PUT → 400; nothing forwarded", async () => {
    const n = appView.hits.length;
    const anon = await call(e.url, "app.bsky.feed.getTimeline");
    expect([anon.status, anon.body.error]).toEqual([401, "AuthRequired"]);
    const refresh = await call(e.url, "app.bsky.feed.getTimeline", { token: user.refreshJwt });
    expect([refresh.status, refresh.body.error]).toEqual([401, "InvalidToken"]);
    const svc = await ok(call(e.url, "com.atproto.server.getServiceAuth", { token: user.accessJwt, params: { aud: e.serviceDid, lxm: "app.bsky.feed.getTimeline" } }));
    const bySvc = await call(e.url, "app.bsky.feed.getTimeline", { token: svc.token });
    expect([bySvc.status, bySvc.body.error]).toEqual([401, "InvalidToken"]);
    const partner = await call(e.url, "app.bsky.feed.getTimeline", { headers: { "x-partner-key": "ofp_anything" } });
    expect([partner.status, partner.body.error]).toEqual([401, "InvalidToken"]);
    const put = await fetch(`${e.url}/xrpc/app.bsky.feed.getTimeline`, { method: "PUT", headers: { authorization: `Bearer ${user.accessJwt}` } });
    expect([put.status, ((await put.json()) as { message: string }).message]).toEqual([400, "XRPC requests only supports GET and POST"]);
    expect(appView.hits.length).toBe(n);
  });

  test("a POST body over 1 MiB → 413 PayloadTooLarge, nothing forwarded", async () => {
    const n = appView.hits.length;
    const res = await fetch(`${e.url}/xrpc/app.bsky.notification.updateSeen`, { method: "POST", headers: { authorization: `Bearer ${user.accessJwt}`, "content-type": "application/json" }, body: "x".repeat(1024 * 1024 + 1) });
    expect([res.status, ((await res.json()) as { error: string }).error]).toEqual([413, "PayloadTooLarge"]);
    expect(appView.hits.length).toBe(n);
  });
});

describe("com.atproto.moderation.createReport (10 §6)", () => {
  const report = (did: string) => ({ reasonType: "com.atproto.moderation.defs#reasonSpam", reason: "spam", subject: { $type: "com.atproto.admin.defs#repoRef", did } });

  test("without a header → REPORT_SERVICE, lxm createReport; with a labeler header → that labeler (the header wins)", async () => {
    const plain = await call(e.url, "com.atproto.moderation.createReport", { token: user.accessJwt, body: report(user.did) });
    expect(plain.status).toBe(200);
    const { claims } = await verifyServiceJwt(hitsOf(reports, "com.atproto.moderation.createReport").at(-1)!.headers.get("authorization"), e.pds.plcUrl);
    expect([claims.aud, claims.lxm]).toEqual([reports.did, "com.atproto.moderation.createReport"]);
    const n = reports.hits.length;
    const viaHeader = await call(e.url, "com.atproto.moderation.createReport", { token: user.accessJwt, body: report(user.did), headers: { "atproto-proxy": `${labeler.did}#atproto_labeler` } });
    expect([viaHeader.status, viaHeader.body]).toEqual([200, report(user.did)]);
    expect(reports.hits.length).toBe(n);
    const hit = hitsOf(labeler, "com.atproto.moderation.createReport").at(-1)!;
    expect((await verifyServiceJwt(hit.headers.get("authorization"), e.pds.plcUrl)).claims.lxm).toBe("com.atproto.moderation.createReport");
  });

  test("input is validated against the lexicon first: 400 InvalidRequest, nothing forwarded", async () => {
    const n = reports.hits.length;
    const missing = await call(e.url, "com.atproto.moderation.createReport", { token: user.accessJwt, body: { reason: "x" } });
    expect([missing.status, missing.body.error]).toEqual([400, "InvalidRequest"]);
    const badSubject = await call(e.url, "com.atproto.moderation.createReport", { token: user.accessJwt, body: { reasonType: "com.atproto.moderation.defs#reasonSpam", subject: { $type: "com.atproto.admin.defs#repoRef", did: 5 } } });
    expect([badSubject.status, badSubject.body.error]).toEqual([400, "InvalidRequest"]);
    const notJson = await fetch(`${e.url}/xrpc/com.atproto.moderation.createReport`, { method: "POST", headers: { authorization: `Bearer ${user.accessJwt}`, "content-type": "application/json" }, body: "{" });
    expect(notJson.status).toBe(400);
    const get = await call(e.url, "com.atproto.moderation.createReport", { token: user.accessJwt });
    expect(get.status).toBe(400);
    expect(reports.hits.length).toBe(n);
  });

  test("a deactivated account: proxied methods and reports → 403 AccountDeactivated, nothing forwarded", async () => {
    const u = await approvedUser(e);
    await ok(call(e.url, "com.atproto.server.deactivateAccount", { token: u.accessJwt, body: {} }));
    const n = appView.hits.length + reports.hits.length;
    for (const [nsid, body] of [["app.bsky.feed.getTimeline", undefined], ["com.atproto.moderation.createReport", report(u.did)]] as const) {
      const res = await call(e.url, nsid, { token: u.accessJwt, ...(body ? { body } : {}) });
      expect([nsid, res.status, res.body.error]).toEqual([nsid, 403, "AccountDeactivated"]);
    }
    expect(appView.hits.length + reports.hits.length).toBe(n);
  });

  test("a suspended account's restricted session may report (appeal) but not read the timeline (403 AccountSuspended, nothing forwarded)", async () => {
    const u = await approvedUser(e);
    const subject = { $type: "com.atproto.admin.defs#repoRef", did: u.did };
    await ok(call(e.url, "com.atproto.admin.updateSubjectStatus", { token: e.admin.accessJwt, body: { subject, deactivated: { applied: true, ref: "spam" } } }));
    const restricted = await ok(call(e.url, "com.atproto.server.createSession", { body: { identifier: u.name, password: PASSWORD, allowTakendown: true } }));
    const n = appView.hits.length;
    const timeline = await call(e.url, "app.bsky.feed.getTimeline", { token: restricted.accessJwt });
    expect([timeline.status, timeline.body.error]).toEqual([403, "AccountSuspended"]);
    expect(appView.hits.length).toBe(n);
    const appeal = await call(e.url, "com.atproto.moderation.createReport", { token: restricted.accessJwt, body: { ...report(u.did), reasonType: "com.atproto.moderation.defs#reasonAppeal" }, headers: { "atproto-proxy": `${labeler.did}#atproto_labeler` } });
    expect(appeal.status).toBe(200);
    const { claims } = await verifyServiceJwt(hitsOf(labeler, "com.atproto.moderation.createReport").at(-1)!.headers.get("authorization"), e.pds.plcUrl);
    expect([claims.iss, claims.lxm]).toEqual([u.did, "com.atproto.moderation.createReport"]);
  });
});
