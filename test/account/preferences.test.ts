// app.bsky.actor.getPreferences / putPreferences (10 §3) on a real server: stored order, full-only types, refusals, statuses.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { AtpAgent } from "@atproto/api";
import { approvedUser, call, invite, ok, PASSWORD, startEnv, uniq, type Env } from "./_support.ts";
import { fakeService, type FakeService } from "../proxy/_support.ts";

let e: Env;
let appView: FakeService;
let other: FakeService;
beforeAll(async () => {
  appView = fakeService({ bsky_appview: "BskyAppView" }, () => Response.json({ from: "appview" }));
  other = fakeService({ bsky_appview: "BskyAppView" }, () => Response.json({ preferences: [{ $type: "app.bsky.actor.defs#adultContentPref", enabled: true }] }));
  e = await startEnv({ BSKY_APP_VIEW_URL: appView.url, BSKY_APP_VIEW_DID: appView.did });
});
afterAll(async () => {
  await e?.stop();
  appView?.stop();
  other?.stop();
});

const GET = "app.bsky.actor.getPreferences";
const PUT = "app.bsky.actor.putPreferences";
const PERSONAL = "app.bsky.actor.defs#personalDetailsPref";
const AGE = "app.bsky.actor.defs#declaredAgePref";
const adult = { $type: "app.bsky.actor.defs#adultContentPref", enabled: true };
const label = { $type: "app.bsky.actor.defs#contentLabelPref", label: "nsfw", visibility: "warn" };
const feeds = { $type: "app.bsky.actor.defs#savedFeedsPrefV2", items: [{ id: "3l", type: "timeline", value: "following", pinned: true }] };
const custom = { $type: "app.bsky.some.futurePref", anything: { nested: [1, 2] } };

const stored = async (did: string) => await e.sql<{ position: number; type: string; value_json: string }>("SELECT position, type, value_json FROM account_prefs WHERE did = ? ORDER BY position", did);
const headRev = async (did: string) => (await e.sql<{ rev: string }>("SELECT rev FROM repo_roots WHERE did = ?", did))[0]?.rev;
const lastSeq = async () => (await e.sql<{ s: number }>("SELECT COALESCE(MAX(seq), 0) AS s FROM repo_events"))[0]!.s;
const auditRows = async () => (await e.sql<{ n: number }>("SELECT count(*) AS n FROM audit_log"))[0]!.n;
const login = (identifier: string, password: string, extra: Record<string, unknown> = {}) => ok(call(e.url, "com.atproto.server.createSession", { body: { identifier, password, ...extra } }));
const appPasswordSession = async (u: { name: string; accessJwt: string }) => {
  const made = await ok(call(e.url, "com.atproto.server.createAppPassword", { token: u.accessJwt, body: { name: uniq("ap") } }));
  return { ...(await login(u.name, made.password)), password: made.password as string };
};

test("put then get round-trips the array in stored order; private state: no commit, no firehose event, no audit row", async () => {
  const u = await approvedUser(e);
  expect(await ok(call(e.url, GET, { token: u.accessJwt }))).toEqual({ preferences: [] });
  const rev = await headRev(u.did);
  const seq = await lastSeq();
  const audit = await auditRows();
  const prefs = [feeds, custom, adult, label];
  expect((await call(e.url, PUT, { token: u.accessJwt, body: { preferences: prefs } })).status).toBe(200);
  expect(await ok(call(e.url, GET, { token: u.accessJwt }))).toEqual({ preferences: prefs });
  expect((await stored(u.did)).map((r) => [r.position, r.type])).toEqual(prefs.map((p, i) => [i, p.$type]));
  expect({ rev: await headRev(u.did), seq: await lastSeq(), audit: await auditRows() }).toEqual({ rev, seq, audit });
  // a put replaces everything
  await ok(call(e.url, PUT, { token: u.accessJwt, body: { preferences: [label] } }));
  expect((await ok(call(e.url, GET, { token: u.accessJwt }))).preferences).toEqual([label]);
  const status = await ok(call(e.url, "com.atproto.server.checkAccountStatus", { token: u.accessJwt }));
  expect(status.privateStateValues).toBe(1);
  // an atproto-proxy header naming the configured AppView is served locally (10 §1.6)
  const local = await ok(call(e.url, GET, { token: u.accessJwt, headers: { "atproto-proxy": `${appView.did}#bsky_appview` } }));
  expect(local.preferences).toEqual([label]);
  expect(appView.hits.length).toBe(0);
});

test("personalDetailsPref: full sessions only; an app-password put keeps it (hidden from that session); declaredAgePref computed, submitted ones dropped", async () => {
  const u = await approvedUser(e);
  const details = { $type: PERSONAL, birthDate: "2000-02-29T00:00:00.000Z" };
  await ok(call(e.url, PUT, { token: u.accessJwt, body: { preferences: [details, adult, { $type: AGE, isOverAge13: false, isOverAge16: false, isOverAge18: false }] } }));
  const age = { $type: AGE, isOverAge13: true, isOverAge16: true, isOverAge18: true };
  expect((await ok(call(e.url, GET, { token: u.accessJwt }))).preferences).toEqual([details, adult, age]);
  expect((await stored(u.did)).map((r) => r.type)).toEqual([PERSONAL, adult.$type]);

  const ap = await appPasswordSession(u);
  expect((await ok(call(e.url, GET, { token: ap.accessJwt }))).preferences).toEqual([adult, age]);
  const before = await stored(u.did);
  const refused = await call(e.url, PUT, { token: ap.accessJwt, body: { preferences: [label, { $type: PERSONAL, birthDate: "1990-01-01T00:00:00.000Z" }] } });
  expect([refused.status, refused.body.error, refused.body.message]).toEqual([400, "InvalidRequest", `Do not have authorization to set preferences: ${PERSONAL}`]);
  expect(await stored(u.did)).toEqual(before);
  await ok(call(e.url, PUT, { token: ap.accessJwt, body: { preferences: [label] } }));
  expect((await ok(call(e.url, GET, { token: ap.accessJwt }))).preferences).toEqual([label, age]);
  expect((await ok(call(e.url, GET, { token: u.accessJwt }))).preferences).toEqual([details, label, age]);

  // the flags are whole years on the server clock: a day before and after the 13th birthday
  const young = await approvedUser(e);
  const yearsAgo = (years: number, days: number) => {
    const d = new Date();
    d.setUTCFullYear(d.getUTCFullYear() - years);
    return new Date(d.getTime() + days * 86_400_000).toISOString();
  };
  for (const [birthDate, over13] of [[yearsAgo(13, 1), false], [yearsAgo(13, -1), true]] as const) {
    await ok(call(e.url, PUT, { token: young.accessJwt, body: { preferences: [{ $type: PERSONAL, birthDate }] } }));
    expect((await ok(call(e.url, GET, { token: young.accessJwt }))).preferences.at(-1)).toEqual({ $type: AGE, isOverAge13: over13, isOverAge16: false, isOverAge18: false });
  }
});

test("refusals: 400 InvalidRequest with the spec's messages, nothing written", async () => {
  const u = await approvedUser(e);
  await ok(call(e.url, PUT, { token: u.accessJwt, body: { preferences: [adult] } }));
  const before = await stored(u.did);
  const cases: Array<[unknown, string | RegExp]> = [
    [{ preferences: [{ type: "x" }] }, "Preference is missing a $type"],
    [{ preferences: [adult, "str"] }, "Preference is missing a $type"],
    [{ preferences: [adult, { $type: 7 }] }, "Preference is missing a $type"],
    [{ preferences: [adult, { $type: "com.example.pref" }] }, "Some preferences are not in the app.bsky namespace"],
    [{ preferences: [{ $type: "app.bskyfoo.pref" }] }, "Some preferences are not in the app.bsky namespace"],
    [{ preferences: Array.from({ length: 1001 }, () => adult) }, "At most 1000 preferences"],
    [{ preferences: [label, { $type: "app.bsky.actor.defs#adultContentPref", enabled: "yes" }] }, /preferences\/1/],
    [{ preferences: [{ $type: PERSONAL, birthDate: "yesterday" }] }, /preferences\/0/],
    [{}, /preferences/],
  ];
  for (const [body, message] of cases) {
    const r = await call(e.url, PUT, { token: u.accessJwt, body });
    expect([r.status, r.body.error]).toEqual([400, "InvalidRequest"]);
    if (typeof message === "string") expect(r.body.message).toBe(message);
    else expect(r.body.message).toMatch(message);
    expect(await stored(u.did)).toEqual(before);
  }
  const anon = await call(e.url, GET);
  expect([anon.status, anon.body.error]).toEqual([401, "AuthRequired"]);
  // 1000 is fine
  expect((await call(e.url, PUT, { token: u.accessJwt, body: { preferences: Array.from({ length: 1000 }, () => adult) } })).status).toBe(200);
  expect((await stored(u.did)).length).toBe(1000);
});

test("statuses: deactivated gets and puts; a restricted session only gets; a queued session neither", async () => {
  const u = await approvedUser(e);
  await ok(call(e.url, PUT, { token: u.accessJwt, body: { preferences: [adult] } }));
  await ok(call(e.url, "com.atproto.server.deactivateAccount", { token: u.accessJwt, body: {} }));
  const d = await login(u.name, PASSWORD);
  await ok(call(e.url, PUT, { token: d.accessJwt, body: { preferences: [adult, label] } }));
  expect((await ok(call(e.url, GET, { token: d.accessJwt }))).preferences).toEqual([adult, label]);
  await ok(call(e.url, "com.atproto.server.activateAccount", { token: d.accessJwt, body: {} }));

  // suspension (06 §1: `deactivated.applied` through updateSubjectStatus)
  await ok(call(e.url, "com.atproto.admin.updateSubjectStatus", { token: e.admin.accessJwt, body: { subject: { $type: "com.atproto.admin.defs#repoRef", did: u.did }, deactivated: { applied: true } } }));
  const status = (await e.sql<{ status: string }>("SELECT status FROM accounts WHERE did = ?", u.did))[0]!.status;
  expect(status).toBe("suspended");
  const r = await login(u.name, PASSWORD, { allowTakendown: true });
  expect((await ok(call(e.url, GET, { token: r.accessJwt }))).preferences).toEqual([adult, label]);
  const put = await call(e.url, PUT, { token: r.accessJwt, body: { preferences: [] } });
  expect([put.status, put.body.error]).toEqual([403, "AccountSuspended"]);
  expect((await stored(u.did)).length).toBe(2);

  const name = uniq();
  const pending = await ok(call(e.url, "com.atproto.server.createAccount", { body: { handle: `${name}.test`, email: `${name}@example.org`, password: PASSWORD, inviteCode: await invite(e) } }));
  for (const nsid of [GET, PUT]) {
    const q = await call(e.url, nsid, { token: pending.accessJwt, ...(nsid === PUT ? { body: { preferences: [] } } : {}) });
    expect([q.status, q.body.error]).toEqual([403, "AccountNotApproved"]);
  }
});

test("AtpAgent with an app password reads and writes preferences; deletion removes them", async () => {
  const u = await approvedUser(e);
  const ap = await appPasswordSession(u);
  const agent = new AtpAgent({ service: e.url });
  await agent.login({ identifier: u.name, password: ap.password });
  await agent.app.bsky.actor.putPreferences({ preferences: [adult, feeds] });
  expect((await agent.app.bsky.actor.getPreferences()).data.preferences).toEqual([adult, feeds]);
  // the agent's own helpers parse what we return
  const parsed = await agent.getPreferences();
  expect(parsed.moderationPrefs.adultContentEnabled).toBe(true);
  await ok(call(e.url, "net.openfederation.account.export", { token: u.accessJwt, params: { did: u.did } }));
  await ok(call(e.url, "com.atproto.admin.deleteAccount", { token: e.admin.accessJwt, body: { did: u.did } }));
  expect(await stored(u.did)).toEqual([]);
});

test("an atproto-proxy header naming another service proxies the preference methods there", async () => {
  const u = await approvedUser(e);
  await ok(call(e.url, PUT, { token: u.accessJwt, body: { preferences: [label] } }));
  const r = await ok(call(e.url, GET, { token: u.accessJwt, headers: { "atproto-proxy": `${other.did}#bsky_appview` } }));
  expect(r).toEqual({ preferences: [adult] });
  expect(other.hits.map((h) => h.path)).toEqual([`/xrpc/${GET}`]);
  expect((await stored(u.did)).map((x) => x.type)).toEqual([label.$type]);
});

test("logs: no invalid outputs, no undeclared error names, no preference values", () => {
  const logs = e.pds.logs();
  expect(logs).not.toContain("does not match its lexicon");
  expect(logs).not.toContain("does not declare");
  expect(logs).not.toContain("futurePref");
  expect(logs).not.toContain("2000-02-29");
});
