// com.atproto.temp.checkSignupQueue (10 §6) on a real server: activated, 1-based place among pending accounts, the estimate rule.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { ADMIN, approvedUser, call, invite, ok, PASSWORD, startEnv, uniq, type Env } from "./_support.ts";

let e: Env;
beforeAll(async () => {
  e = await startEnv({ APPROVAL_REQUIRED: "true" });
});
afterAll(() => e?.stop());

const CHECK = "com.atproto.temp.checkSignupQueue";

/** A pending account through com.atproto.server.createAccount, with the queued session it returns. */
async function queued() {
  const name = uniq("q");
  const r = await ok(call(e.url, "com.atproto.server.createAccount", { body: { handle: `${name}.test`, email: `${name}@example.org`, password: PASSWORD, inviteCode: await invite(e) } }));
  return { did: r.did as string, token: r.accessJwt as string };
}
const approve = (did: string) => ok(call(e.url, "net.openfederation.account.approve", { token: e.admin.accessJwt, body: { did } }));

/** The estimate the spec defines, computed from the database: place × mean interval of the last 20 approvals in 30 days. */
async function expectedEstimate(place: number, nowMs: number): Promise<number | undefined> {
  const since = new Date(nowMs - 30 * 86_400_000).toISOString();
  const at = (await e.sql<{ a: string }>("SELECT approved_at AS a FROM accounts WHERE approved_at IS NOT NULL AND approved_at >= ? ORDER BY approved_at DESC LIMIT 20", since)).map((r) => Date.parse(r.a));
  if (at.length < 5) return undefined;
  return Math.round((place * (at[0]! - at[at.length - 1]!)) / (at.length - 1));
}

test("a queued session may call nothing else but the session methods and the queue check", async () => {
  const q = await queued();
  const records = async () => (await e.sql<{ n: number }>("SELECT count(*) AS n FROM records WHERE did = ?", q.did))[0]!.n;
  const before = await records();
  const r = await call(e.url, "com.atproto.repo.createRecord", { token: q.token, body: { repo: q.did, collection: "app.example.note", record: { text: "x" } } });
  expect([r.status, r.body.error]).toEqual([403, "AccountNotApproved"]);
  expect(await records()).toBe(before);
  // out of the queue, so the places below start from an empty queue
  await ok(call(e.url, "net.openfederation.account.reject", { token: e.admin.accessJwt, body: { did: q.did } }));
});

test("queue places, the estimate only with 5 recent approvals, activated after approval; anonymous → 401", async () => {
  const [a, b, c] = [await queued(), await queued(), await queued()];
  // fewer than 5 approvals in the window (only the bootstrap admin): a place but no estimate
  expect(await ok(call(e.url, CHECK, { token: b.token }))).toEqual({ activated: false, placeInQueue: 2 });

  for (let i = 0; i < 5; i++) await approvedUser(e);
  const est = await expectedEstimate(2, Date.now());
  expect(est).toBeGreaterThan(0);
  expect(await ok(call(e.url, CHECK, { token: b.token }))).toEqual({ activated: false, placeInQueue: 2, estimatedTimeMs: est });

  await approve(a.did);
  expect((await ok(call(e.url, CHECK, { token: b.token }))).placeInQueue).toBe(1);
  expect((await ok(call(e.url, CHECK, { token: c.token }))).placeInQueue).toBe(2);

  // the queued session itself reports the approval (the client then refreshes into a full session)
  await approve(b.did);
  expect(await ok(call(e.url, CHECK, { token: b.token }))).toEqual({ activated: true });

  const anon = await call(e.url, CHECK, {});
  expect([anon.status, anon.body.error]).toEqual([401, "AuthRequired"]);

  // 31 days later on the server's clock every approval is outside the window: the estimate is omitted again.
  // (Every token has expired by then: the admin logs in again, and a new queued account asks.)
  e.pds.advanceClock(31 * 86_400_000);
  e.admin = await ok(call(e.url, "com.atproto.server.createSession", { body: { identifier: ADMIN.handle, password: ADMIN.password } }));
  const d = await queued();
  expect(await ok(call(e.url, CHECK, { token: d.token }))).toEqual({ activated: false, placeInQueue: 2 });
});
