// The Bluesky app's session as one scenario (spec 10 acceptance checks, issue 12): one AtpAgent against `serve --dev`
// with fake AppView, chat and report services (test/proxy/_support.ts) logs in, reads preferences, posts, reads the
// timeline and a thread, likes, follows, sets an avatar, puts preferences, chats with a privileged app password,
// reports a post and logs out; then: no 500, exactly the expected audit rows, no secret in the logs or audit meta.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { AtpAgent } from "@atproto/api";
import { call, invite, ok, PASSWORD, startEnv, uniq, type Env } from "../account/_support.ts";
import { waitFor } from "../_support/process.ts";
import { fakeService, verifyServiceJwt, type FakeService, type Hit } from "../proxy/_support.ts";

// a real 1×1 PNG
const AVATAR = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");
const NOW = "2026-01-01T00:00:00.000Z";

let e: Env;
let appView: FakeService, chat: FakeService, reports: FakeService;
/** the post the AppView shows: ours, once written */
let shown = { uri: "", cid: "", did: "", handle: "" };

const postView = () => ({ uri: shown.uri, cid: shown.cid, author: { did: shown.did, handle: shown.handle }, record: { $type: "app.bsky.feed.post", text: "hello from ofpds", createdAt: NOW }, indexedAt: NOW });
const nsidOf = (hit: Hit) => hit.path.slice("/xrpc/".length);

function appViewAnswer(hit: Hit): Response {
  if (nsidOf(hit) === "app.bsky.feed.getTimeline") return Response.json({ feed: [{ post: postView() }], cursor: "c1" });
  if (nsidOf(hit) === "app.bsky.feed.getPostThread") return Response.json({ thread: { $type: "app.bsky.feed.defs#threadViewPost", post: postView(), replies: [] } });
  return Response.json({ error: "MethodNotImplemented", message: `fake AppView: ${nsidOf(hit)}` }, { status: 501 });
}

function chatAnswer(hit: Hit): Response {
  const member = { did: shown.did, handle: shown.handle };
  if (nsidOf(hit) === "chat.bsky.convo.listConvos") return Response.json({ convos: [{ id: "convo1", rev: "1", members: [member], muted: false, unreadCount: 0 }] });
  if (nsidOf(hit) === "chat.bsky.convo.sendMessage") {
    const input = JSON.parse(new TextDecoder().decode(hit.body)) as { convoId: string; message: { text: string } };
    return Response.json({ id: "m1", rev: "2", text: input.message.text, sender: { did: shown.did }, sentAt: NOW });
  }
  return Response.json({ error: "MethodNotImplemented", message: `fake chat: ${nsidOf(hit)}` }, { status: 501 });
}

function reportAnswer(hit: Hit): Response {
  const input = JSON.parse(new TextDecoder().decode(hit.body)) as { reasonType: string; subject: unknown };
  return Response.json({ id: 7, reasonType: input.reasonType, subject: input.subject, reportedBy: shown.did, createdAt: NOW });
}

/** Every status our server answered to the agents. */
const statuses: Array<{ url: string; status: number }> = [];
const recordingFetch: typeof fetch = Object.assign(async (input: RequestInfo | URL, init?: RequestInit) => {
  const res = await fetch(input, init);
  statuses.push({ url: input instanceof Request ? input.url : String(input), status: res.status });
  return res;
}, { preconnect: fetch.preconnect });

beforeAll(async () => {
  appView = fakeService({ bsky_appview: "BskyAppView" }, appViewAnswer);
  chat = fakeService({ bsky_chat: "BskyChatService" }, chatAnswer);
  reports = fakeService({ atproto_labeler: "AtprotoLabeler" }, reportAnswer);
  e = await startEnv({
    APPROVAL_REQUIRED: "true",
    BSKY_APP_VIEW_URL: appView.url, BSKY_APP_VIEW_DID: appView.did,
    BSKY_CHAT_URL: chat.url, BSKY_CHAT_DID: chat.did,
    REPORT_SERVICE_URL: reports.url, REPORT_SERVICE_DID: reports.did,
  });
}, 60_000);

afterAll(async () => {
  await e?.stop();
  for (const f of [appView, chat, reports]) f?.stop();
});

/** The app's agent: as social-app, every request names the AppView with atproto-proxy (locally served methods ignore
 * it, 10 §1.1) and asks for the Bluesky moderation labeler. */
function appAgent(): AtpAgent {
  const agent = new AtpAgent({ service: e.url, fetch: recordingFetch });
  agent.configureProxy(`${appView.did as `did:web:${string}`}#bsky_appview`);
  agent.configureLabelers(["did:plc:ar7c4by46qjdydhdevvrndac"]);
  return agent;
}

/** A registered and approved account, without a session yet (the agent makes the only one). */
async function approvedAccount(name: string): Promise<{ did: string; handle: string }> {
  const reg = await ok(call(e.url, "net.openfederation.account.register", { body: { handle: name, email: `${name}@example.org`, password: PASSWORD, inviteCode: await invite(e) } }));
  await ok(call(e.url, "net.openfederation.account.approve", { token: e.admin.accessJwt, body: { did: reg.did } }));
  return { did: reg.did, handle: reg.handle };
}

test("one AtpAgent runs the Bluesky app's session end to end; each fake service saw a valid service JWT with its aud and lxm", async () => {
  const friend = await approvedAccount(uniq("friend"));
  const me = await approvedAccount(uniq("app"));
  shown = { uri: "", cid: "", did: me.did, handle: me.handle };
  const auditBefore = (await e.sql<{ id: string }>("SELECT id FROM audit_log WHERE actor_did = ? OR target_did = ? ORDER BY id", me.did, me.did)).map((r) => r.id);

  // --- log in, read preferences (none yet)
  const agent = appAgent();
  await agent.login({ identifier: me.handle, password: PASSWORD });
  expect(agent.session!.did).toBe(me.did);
  const firstTokens = { access: agent.session!.accessJwt, refresh: agent.session!.refreshJwt };
  expect((await agent.app.bsky.actor.getPreferences()).data.preferences).toEqual([]);

  // --- post, validated against the embedded app.bsky lexicon
  const { data: post } = await agent.com.atproto.repo.createRecord({ repo: me.did, collection: "app.bsky.feed.post", record: { $type: "app.bsky.feed.post", text: "hello from ofpds", createdAt: new Date().toISOString() } });
  expect(post.validationStatus).toBe("valid");
  shown = { ...shown, uri: post.uri, cid: post.cid };

  // --- a reply with a threadgate in one applyWrites (social-app's composer), each write validated
  const gateRkey = "3kreplygate22";
  const { data: batch } = await agent.com.atproto.repo.applyWrites({
    repo: me.did,
    writes: [
      { $type: "com.atproto.repo.applyWrites#create", collection: "app.bsky.feed.post", rkey: gateRkey, value: { $type: "app.bsky.feed.post", text: "a gated reply", createdAt: new Date().toISOString(), reply: { root: { uri: post.uri, cid: post.cid }, parent: { uri: post.uri, cid: post.cid } } } },
      { $type: "com.atproto.repo.applyWrites#create", collection: "app.bsky.feed.threadgate", rkey: gateRkey, value: { $type: "app.bsky.feed.threadgate", post: `at://${me.did}/app.bsky.feed.post/${gateRkey}`, allow: [{ $type: "app.bsky.feed.threadgate#mentionRule" }], createdAt: new Date().toISOString() } },
    ],
  });
  expect(batch.results!.map((r) => (r as { validationStatus?: string }).validationStatus)).toEqual(["valid", "valid"]);

  // --- timeline and thread through the AppView
  const timeline = await agent.getTimeline({ limit: 30 });
  expect(timeline.data.feed.map((f) => f.post.uri)).toEqual([post.uri]);
  const thread = await agent.getPostThread({ uri: post.uri, depth: 6 });
  expect((thread.data.thread as { post: { cid: string } }).post.cid).toBe(post.cid);
  expect(appView.hits.find((h) => nsidOf(h) === "app.bsky.feed.getPostThread")!.search).toBe(`?uri=${encodeURIComponent(post.uri)}&depth=6`);

  // --- like and follow (local repo writes)
  const like = await agent.like(post.uri, post.cid);
  const follow = await agent.follow(friend.did);
  for (const [uri, collection] of [[like.uri, "app.bsky.feed.like"], [follow.uri, "app.bsky.graph.follow"]] as const) {
    const rkey = uri.split("/").pop()!;
    const { data } = await agent.com.atproto.repo.getRecord({ repo: me.did, collection, rkey });
    expect(data.uri).toBe(uri);
  }

  // --- avatar: upload the blob, set it on the (genesis) profile record
  const { data: blob } = await agent.uploadBlob(AVATAR, { encoding: "image/png" });
  expect([blob.blob.mimeType, blob.blob.size]).toEqual(["image/png", AVATAR.byteLength]);
  await agent.upsertProfile((existing) => ({ ...existing, displayName: "App User", avatar: blob.blob }));
  const { data: profile } = await agent.com.atproto.repo.getRecord({ repo: me.did, collection: "app.bsky.actor.profile", rkey: "self" });
  expect((profile.value as { avatar: { ref: { toString(): string } } }).avatar.ref.toString()).toBe(blob.blob.ref.toString());
  const avatarBytes = await fetch(`${e.url}/xrpc/com.atproto.sync.getBlob?did=${me.did}&cid=${blob.blob.ref.toString()}`);
  expect([avatarBytes.status, Buffer.from(await avatarBytes.arrayBuffer()).equals(AVATAR)]).toEqual([200, true]);

  // --- put preferences (values that must never reach a log), read them back; the SDK's own helpers too
  const prefs = [
    { $type: "app.bsky.actor.defs#adultContentPref", enabled: true },
    { $type: "app.bsky.actor.defs#mutedWordsPref", items: [{ value: "zebrasecretword", targets: ["content"] }] },
    { $type: "app.bsky.actor.defs#personalDetailsPref", birthDate: "1990-04-05T00:00:00.000Z" },
  ];
  await agent.app.bsky.actor.putPreferences({ preferences: prefs });
  const stored = (await agent.app.bsky.actor.getPreferences()).data.preferences;
  expect(stored.slice(0, 3)).toEqual(prefs as never);
  expect(stored[3]).toEqual({ $type: "app.bsky.actor.defs#declaredAgePref", isOverAge13: true, isOverAge16: true, isOverAge18: true } as never);
  const parsed = await agent.getPreferences();
  expect([parsed.moderationPrefs.adultContentEnabled, parsed.moderationPrefs.mutedWords.map((w) => w.value)]).toEqual([true, ["zebrasecretword"]]);

  // --- the access token expires (16 min later on the server's clock): the agent refreshes it by itself and retries
  e.pds.advanceClock(16 * 60_000);
  expect((await agent.getTimeline({ limit: 30 })).data.feed).toHaveLength(1);
  expect(agent.session!.accessJwt).not.toBe(firstTokens.access);
  // the app reloads: it resumes its stored session (the SDK refreshes it once more) and carries on
  const rotated = [agent.session!.accessJwt, agent.session!.refreshJwt];
  await agent.resumeSession({ ...agent.session! });
  expect([agent.session!.did, agent.session!.handle, agent.session!.active]).toEqual([me.did, me.handle, true]);
  expect(statuses.filter((s) => s.url.includes("com.atproto.server.refreshSession")).map((s) => s.status)).toEqual([200, 200]);
  const refreshedTokens = { access: agent.session!.accessJwt, refresh: agent.session!.refreshJwt };

  // --- a privileged app password; a second agent logged in with it lists and sends chat messages
  const { data: appPw } = await agent.com.atproto.server.createAppPassword({ name: "chat phone", privileged: true });
  expect(appPw.password).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
  const phone = new AtpAgent({ service: e.url, fetch: recordingFetch });
  await phone.login({ identifier: me.handle, password: appPw.password });
  const phoneTokens = { access: phone.session!.accessJwt, refresh: phone.session!.refreshJwt };
  // the phone's app reads preferences too: the personal details stay hidden from an app-password session
  const phonePrefs = (await phone.app.bsky.actor.getPreferences()).data.preferences;
  expect(phonePrefs.slice(0, 2)).toEqual(prefs.slice(0, 2) as never);
  expect(JSON.stringify(phonePrefs)).not.toContain("personalDetailsPref");
  const convos = await phone.chat.bsky.convo.listConvos({ limit: 20 });
  expect(convos.data.convos.map((c) => c.id)).toEqual(["convo1"]);
  // social-app names the chat service with atproto-proxy (the configured DID: no resolution)
  const sent = await phone.withProxy("bsky_chat", chat.did).chat.bsky.convo.sendMessage({ convoId: "convo1", message: { text: "hi over chat" } });
  expect(sent.data.text).toBe("hi over chat");
  expect(JSON.parse(new TextDecoder().decode(chat.hits.at(-1)!.body))).toEqual({ convoId: "convo1", message: { text: "hi over chat" } });

  // --- report the post; social-app names the moderation service with atproto-proxy (the header wins over the
  // agent's AppView header; here the configured REPORT_SERVICE_DID: no resolution)
  const { data: report } = await agent.withProxy("atproto_labeler", reports.did).com.atproto.moderation.createReport({ reasonType: "com.atproto.moderation.defs#reasonSpam", reason: "test report", subject: { $type: "com.atproto.repo.strongRef", uri: post.uri, cid: post.cid } });
  expect([report.id, report.subject] as unknown[]).toEqual([7, { $type: "com.atproto.repo.strongRef", uri: post.uri, cid: post.cid }]);

  // --- log out: the refresh token is refused afterwards, the app-password session lives on
  await agent.logout();
  expect(agent.session).toBeUndefined();
  for (const refresh of [refreshedTokens.refresh, rotated[1]!, firstTokens.refresh]) {
    const res = await fetch(`${e.url}/xrpc/com.atproto.server.refreshSession`, { method: "POST", headers: { authorization: `Bearer ${refresh}` } });
    expect([res.status, ((await res.json()) as { error: string }).error]).toEqual([401, "InvalidToken"]); // 01: revoked → 401
  }
  expect((await call(e.url, "com.atproto.server.getSession", { token: refreshedTokens.access })).status).toBe(401);
  expect((await call(e.url, "com.atproto.server.getSession", { token: phoneTokens.access })).status).toBe(200);

  // --- what each fake service saw: one request per call, each with a JWT that verifies, for its aud and lxm
  const seen = async (f: FakeService) => Promise.all(f.hits.map(async (h) => {
    const { claims } = await verifyServiceJwt(h.headers.get("authorization"), e.pds.plcUrl);
    return { method: h.method, nsid: nsidOf(h), iss: claims.iss, aud: claims.aud, lxm: claims.lxm, ttl: claims.exp - claims.iat, jwt: h.headers.get("authorization")!.slice(7) };
  }));
  const [av, ch, rp] = await Promise.all([seen(appView), seen(chat), seen(reports)]);
  const expected = (f: FakeService, calls: Array<[string, string]>) => calls.map(([method, nsid]) => ({ method, nsid, iss: me.did, aud: f.did, lxm: nsid, ttl: 60 }));
  const strip = (rows: typeof av) => rows.map(({ jwt: _jwt, ...r }) => r);
  expect(strip(av)).toEqual(expected(appView, [["GET", "app.bsky.feed.getTimeline"], ["GET", "app.bsky.feed.getPostThread"], ["GET", "app.bsky.feed.getTimeline"]]));
  expect(strip(ch)).toEqual(expected(chat, [["GET", "chat.bsky.convo.listConvos"], ["POST", "chat.bsky.convo.sendMessage"]]));
  expect(strip(rp)).toEqual(expected(reports, [["POST", "com.atproto.moderation.createReport"]]));

  // every target was a configured service: no DID document was fetched
  expect([appView, chat, reports].map((f) => f.docFetches())).toEqual([0, 0, 0]);

  // --- no 500 anywhere: not to the agents, not in any request log line
  expect(statuses.filter((s) => s.status >= 500)).toEqual([]);
  expect(statuses.length).toBeGreaterThan(15);
  // (stderr is read asynchronously: wait for the last call's line)
  const lines = () => e.pds.logs().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as { level: string; msg: string; status?: number; path?: string });
  await waitFor(async () => lines().filter((l) => l.msg === "request" && l.path === "/xrpc/com.atproto.server.getSession").length >= 2, 5_000, "the last request's log line");
  const requestLines = lines().filter((l) => l.msg === "request");
  expect(requestLines.length).toBeGreaterThanOrEqual(statuses.length);
  expect(requestLines.filter((l) => (l.status ?? 0) >= 500)).toEqual([]);
  expect(lines().filter((l) => l.level === "error")).toEqual([]);

  // --- exactly the expected audit rows for this account, in order
  const audit = await e.sql<{ id: string; action: string; actor_did: string | null; meta: string }>("SELECT id, action, actor_did, meta FROM audit_log WHERE actor_did = ? OR target_did = ? ORDER BY id", me.did, me.did);
  const fresh = audit.filter((r) => !auditBefore.includes(r.id));
  const sid = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString()).sid as string;
  expect(fresh.map((r) => [r.action, r.actor_did, JSON.parse(r.meta)])).toEqual([
    ["session.create", me.did, { sid: sid(firstTokens.access), restricted: false }],
    ["account.appPassword.create", me.did, { name: "chat phone", privileged: true }],
    ["session.create", me.did, { sid: sid(phoneTokens.access), restricted: false, appPassword: "chat phone" }],
    ["session.delete", me.did, { sid: sid(firstTokens.access) }],
  ]);

  // --- no app password, preference value, session token or service JWT in the logs or in any audit meta
  const secrets = [appPw.password, "zebrasecretword", "1990-04-05", firstTokens.access, firstTokens.refresh, refreshedTokens.access, refreshedTokens.refresh, ...rotated, phoneTokens.access, phoneTokens.refresh, ...[...av, ...ch, ...rp].map((r) => r.jwt)];
  const logs = e.pds.logs();
  const allMeta = (await e.sql<{ meta: string }>("SELECT meta FROM audit_log")).map((r) => r.meta).join("\n");
  for (const s of secrets) {
    expect(logs.includes(s)).toBe(false);
    expect(allMeta.includes(s)).toBe(false);
  }
}, 60_000);
