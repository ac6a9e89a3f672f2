// net.openfederation.audit.list filters (06 §8) on a real server: prefix and exact action, actor, target, a time window
// spread by the dev clock, cursor paging with a correct total, actorHandle, newest first; roles per 01 §11.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { approvedUser, call, ok, startEnv, uniq, type Env } from "./_support.ts";

let e: Env;
let user: Awaited<ReturnType<typeof approvedUser>>;
let mod: Awaited<ReturnType<typeof approvedUser>>;
let auditor: Awaited<ReturnType<typeof approvedUser>>;
const HOUR = 3_600_000;
/** server times bracketing each phase of actions */
const marks: string[] = [];
const communities: string[] = [];

const list = (params: Record<string, string | number>, token = e.admin.accessJwt) => call(e.url, "net.openfederation.audit.list", { token, params });
const serverNow = async () => {
  // the server's clock, read from a fresh audit row's time (the dev clock is ahead of the wall clock)
  await ok(call(e.url, "net.openfederation.invite.create", { token: e.admin.accessJwt, body: { note: "clock" } }));
  return (await e.sql<{ at: string }>("SELECT created_at AS at FROM audit_log ORDER BY id DESC LIMIT 1"))[0]!.at;
};

beforeAll(async () => {
  // long-lived access tokens: the dev clock moves hours ahead during the test
  e = await startEnv({ ACCESS_TOKEN_TTL: "24h" });
  user = await approvedUser(e);
  mod = await approvedUser(e);
  auditor = await approvedUser(e);
  await ok(call(e.url, "net.openfederation.account.updateRoles", { token: e.admin.accessJwt, body: { did: mod.did, addRoles: ["moderator"] } }));
  await ok(call(e.url, "net.openfederation.account.updateRoles", { token: e.admin.accessJwt, body: { did: auditor.did, addRoles: ["auditor"] } }));
  // three phases, two hours apart on the server's clock, each with community and invite actions
  for (let phase = 0; phase < 3; phase++) {
    if (phase) e.pds.advanceClock(2 * HOUR);
    marks.push(await serverNow());
    const handle = uniq("c");
    const c = await ok(call(e.url, "net.openfederation.community.create", { token: user.accessJwt, body: { handle, didMethod: "plc" } }));
    communities.push(c.did);
    await ok(call(e.url, "net.openfederation.invite.create", { token: mod.accessJwt, body: {} }));
  }
  marks.push(await serverNow());
});
afterAll(() => e?.stop());

const rows = async (where: string, ...args: unknown[]) => (await e.sql<{ id: string }>(`SELECT id FROM audit_log WHERE ${where} ORDER BY id DESC`, ...args)).map((r) => r.id);

test("prefix filter community.* matches every community action and nothing else; exact action too", async () => {
  const r = await ok(list({ action: "community.*", limit: 100 }));
  expect(r.entries.map((x: any) => x.id)).toEqual(await rows("action LIKE 'community.%'"));
  expect(r.entries.length).toBeGreaterThanOrEqual(3);
  expect(r.entries.every((x: any) => x.action.startsWith("community."))).toBe(true);
  expect(r.total).toBe(r.entries.length);
  expect(r.entries.filter((x: any) => x.action === "community.create").map((x: any) => x.targetDid)).toEqual([...communities].reverse());
  const exact = await ok(list({ action: "community.create" }));
  expect(exact.total).toBe(3);
  // `community` without the star is an exact action no row has
  expect((await ok(list({ action: "community" }))).total).toBe(0);
  // LIKE metacharacters in a prefix are literal
  expect((await ok(list({ action: "community_*" }))).total).toBe(0);
  expect((await ok(list({ action: "%" }))).total).toBe(0);
});

test("actorDid and targetDid; actorHandle on entries", async () => {
  const byMod = await ok(list({ actorDid: mod.did, action: "invite.create" }));
  expect(byMod.total).toBe(3);
  expect(byMod.entries.every((x: any) => x.actorDid === mod.did && x.actorHandle === `${mod.name}.test`)).toBe(true);
  const byUser = await ok(list({ actorDid: user.did, limit: 100 }));
  expect(byUser.entries.map((x: any) => x.id)).toEqual(await rows("actor_did = ?", user.did));
  const target = await ok(list({ targetDid: communities[1]! }));
  expect(target.entries.map((x: any) => x.id)).toEqual(await rows("target_did = ?", communities[1]));
  expect(target.entries.map((x: any) => x.action)).toContain("community.create");
  // combined: nothing matches the moderator as actor of a community action
  expect((await ok(list({ actorDid: mod.did, action: "community.*" }))).total).toBe(0);
});

test("since/until window selects one phase on the server's clock", async () => {
  // the rows carry the server's (dev) clock: the phases are two hours apart
  expect(Date.parse(marks[1]!) - Date.parse(marks[0]!)).toBeGreaterThanOrEqual(2 * HOUR);
  const window = await ok(list({ since: marks[1]!, until: marks[2]!, action: "community.create" }));
  expect(window.entries.map((x: any) => x.targetDid)).toEqual([communities[1]]);
  const fromSecond = await ok(list({ since: marks[1]!, action: "community.create" }));
  expect(fromSecond.entries.map((x: any) => x.targetDid)).toEqual([communities[2], communities[1]]);
  const untilFirst = await ok(list({ until: marks[1]!, action: "community.create" }));
  expect(untilFirst.entries.map((x: any) => x.targetDid)).toEqual([communities[0]]);
  for (const entry of window.entries) expect(entry.createdAt >= marks[1]! && entry.createdAt <= marks[2]!).toBe(true);
  const none = await ok(list({ since: marks[3]!, until: marks[0]! }));
  expect(none).toEqual({ entries: [], total: 0 });
});

test("cursor paging: newest first, no loss or repeat, total the same on every page", async () => {
  const expected = await rows("1 = 1");
  const seen: any[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await ok(list({ limit: 3, ...(cursor ? { cursor } : {}) }));
    expect(page.total).toBe(expected.length);
    expect(page.entries.length).toBeLessThanOrEqual(3);
    seen.push(...page.entries);
    cursor = page.cursor;
    pages++;
  } while (cursor);
  expect(pages).toBe(Math.ceil(expected.length / 3));
  expect(seen.map((x) => x.id)).toEqual(expected);
  const times = seen.map((x) => x.createdAt);
  expect(times).toEqual([...times].sort().reverse());
  // a filtered listing pages too, its total counting the filter only
  const first = await ok(list({ action: "invite.*", limit: 2 }));
  const rest = await ok(list({ action: "invite.*", limit: 100, cursor: first.cursor }));
  expect([...first.entries, ...rest.entries].map((x: any) => x.id)).toEqual(await rows("action LIKE 'invite.%'"));
  expect(first.total).toBe(rest.total);
  // entries never carry the ip column
  expect(seen.some((x) => "ip" in x)).toBe(false);
});

test("refusals: moderator and user 403, bad cursor and bad datetime 400", async () => {
  const auditorView = await list({ limit: 1 }, auditor.accessJwt);
  expect(auditorView.status).toBe(200);
  for (const [token, status, error] of [[mod.accessJwt, 403, "Forbidden"], [user.accessJwt, 403, "Forbidden"]] as const) {
    const r = await list({}, token);
    expect([r.status, r.body.error]).toEqual([status, error]);
  }
  for (const params of [{ cursor: "not-a-tid" }, { since: "yesterday" }, { limit: 101 }, { actorDid: "nobody" }] as Array<Record<string, string | number>>) {
    const r = await list(params);
    expect({ params, status: r.status, error: r.body.error }).toEqual({ params, status: 400, error: "InvalidRequest" });
  }
});
