// com.atproto.admin.updateSubjectStatus / getSubjectStatus (06 §1, T8-T11) on a real server: roles, transitions, events, gate, refusals.
import { afterAll, beforeAll, expect, test } from "bun:test";
import * as dagCbor from "@ipld/dag-cbor";
import { approvedUser, call, ok, PASSWORD, register, startEnv, type Env } from "./_support.ts";

let e: Env;
let moderator: { did: string; name: string; accessJwt: string };
beforeAll(async () => {
  e = await startEnv();
  moderator = await staffUser("moderator");
});
afterAll(() => e?.stop());

const UPDATE = "com.atproto.admin.updateSubjectStatus";
const GET = "com.atproto.admin.getSubjectStatus";
const REPO_REF = "com.atproto.admin.defs#repoRef";
const subject = (did: string) => ({ $type: REPO_REF, did });
const suspend = (token: string, did: string, ref?: string) => call(e.url, UPDATE, { token, body: { subject: subject(did), deactivated: { applied: true, ...(ref ? { ref } : {}) } } });
const unsuspend = (token: string, did: string) => call(e.url, UPDATE, { token, body: { subject: subject(did), deactivated: { applied: false } } });
const takedown = (token: string, did: string, ref?: string) => call(e.url, UPDATE, { token, body: { subject: subject(did), takedown: { applied: true, ...(ref ? { ref } : {}) } } });
const untakedown = (token: string, did: string) => call(e.url, UPDATE, { token, body: { subject: subject(did), takedown: { applied: false } } });
const getStatus = (token: string, did: string) => call(e.url, GET, { token, params: { did } });

const lastSeq = async () => (await e.sql<{ s: number }>("SELECT COALESCE(MAX(seq), 0) AS s FROM repo_events"))[0]!.s;
const eventsAfter = async (seq: number, did: string) =>
  (await e.sql<{ type: string; body: Uint8Array }>("SELECT type, body FROM repo_events WHERE seq > ? AND did = ? ORDER BY seq", seq, did)).map((r) => ({ type: r.type, body: dagCbor.decode(r.body) as Record<string, unknown> }));
const row = async (did: string) => (await e.sql<{ status: string; previous: string | null; reason: string | null; suspendedAt: string | null; by: string | null }>(
  "SELECT status, previous_status AS previous, status_reason AS reason, suspended_at AS \"suspendedAt\", status_changed_by AS by FROM accounts WHERE did = ?", did))[0]!;
const auditMeta = async (action: string, did: string) => (await e.sql<{ meta: string; actor: string }>("SELECT meta, actor_did AS actor FROM audit_log WHERE action = ? AND target_did = ? ORDER BY created_at", action, did)).map((a) => ({ actor: a.actor, ...JSON.parse(a.meta) }));
const liveSessions = async (did: string) => (await e.sql<{ n: number }>("SELECT count(*) AS n FROM sessions WHERE did = ? AND revoked_at IS NULL", did))[0]!.n;
const login = (identifier: string, extra: Record<string, unknown> = {}) => call(e.url, "com.atproto.server.createSession", { body: { identifier, password: PASSWORD, ...extra } });

async function staffUser(role: string) {
  const u = await approvedUser(e);
  await ok(call(e.url, "net.openfederation.account.updateRoles", { token: e.admin.accessJwt, body: { did: u.did, addRoles: [role] } }));
  const s = await ok(login(u.name));
  return { did: u.did, name: u.name, accessJwt: s.accessJwt as string };
}

/** What a refused call must leave untouched: firehose head, moderation audit rows, the target's row and sessions. */
async function snapshot(did: string) {
  return {
    seq: await lastSeq(),
    audit: (await e.sql<{ n: number }>("SELECT count(*) AS n FROM audit_log WHERE action LIKE 'account.%suspend' OR action LIKE 'account.%takedown' OR action LIKE 'community.%'"))[0]!.n,
    row: await row(did),
    sessions: await liveSessions(did),
  };
}

test("a moderator suspends a user: sessions revoked, #account suspended, audit; login refused, restricted session reads but cannot write", async () => {
  const u = await approvedUser(e);
  await ok(call(e.url, "com.atproto.repo.createRecord", { token: u.accessJwt, body: { repo: u.did, collection: "app.bsky.feed.post", record: { text: "hi", createdAt: new Date().toISOString() } } }));
  const seq = await lastSeq();
  const r = await ok(suspend(moderator.accessJwt, u.did, "spam"));
  expect(r).toEqual({ subject: { $type: REPO_REF, did: u.did }, takedown: { applied: false }, deactivated: { applied: true, ref: "spam" }, accountStatus: "suspended" });
  expect(await row(u.did)).toMatchObject({ status: "suspended", previous: "approved", reason: "spam", by: moderator.did });
  expect((await row(u.did)).suspendedAt).toBeString();
  expect(await liveSessions(u.did)).toBe(0);
  expect((await eventsAfter(seq, u.did)).map((x) => [x.type, x.body.active, x.body.status])).toEqual([["#account", false, "suspended"]]);
  expect(await auditMeta("account.suspend", u.did)).toEqual([{ actor: moderator.did, previousStatus: "approved", reason: "spam" }]);

  // the old token fails on its next request; a login without allowTakendown is refused and points to the restricted session
  const old = await call(e.url, "com.atproto.server.getSession", { token: u.accessJwt });
  expect([old.status, old.body.error]).toEqual([401, "InvalidToken"]);
  const refused = await login(u.name);
  expect([refused.status, refused.body.error]).toEqual([403, "AccountSuspended"]);
  expect(refused.body.message).toContain("allowTakendown");
  const restricted = await ok(login(u.name, { allowTakendown: true }));
  expect([restricted.active, restricted.status, restricted.accountStatus]).toEqual([false, "suspended", "suspended"]);
  // own-repo reads work with the restricted session; anonymous reads answer RepoSuspended (03 §9); writes are refused
  expect((await call(e.url, "com.atproto.repo.listRecords", { token: restricted.accessJwt, params: { repo: u.did, collection: "app.bsky.feed.post" } })).status).toBe(200);
  const anon = await call(e.url, "com.atproto.repo.listRecords", { params: { repo: u.did, collection: "app.bsky.feed.post" } });
  expect([anon.status, anon.body.error]).toEqual([400, "RepoSuspended"]);
  expect(await ok(call(e.url, "com.atproto.sync.getRepoStatus", { params: { did: u.did } }))).toEqual({ did: u.did, active: false, status: "suspended" });
  const write = await call(e.url, "com.atproto.repo.createRecord", { token: restricted.accessJwt, body: { repo: u.did, collection: "app.bsky.feed.post", record: { text: "x", createdAt: new Date().toISOString() } } });
  expect([write.status, write.body.error]).toEqual([403, "AccountSuspended"]);

  // the moderator may unsuspend too: back to approved, announced as a repo becoming active again
  const seq2 = await lastSeq();
  const back = await ok(unsuspend(moderator.accessJwt, u.did));
  expect(back).toEqual({ subject: { $type: REPO_REF, did: u.did }, takedown: { applied: false }, deactivated: { applied: false }, accountStatus: "approved" });
  expect(await row(u.did)).toMatchObject({ status: "approved", previous: null, reason: null, suspendedAt: null });
  expect((await eventsAfter(seq2, u.did)).map((x) => x.type)).toEqual(["#account", "#identity", "#sync"]);
  expect(await auditMeta("account.unsuspend", u.did)).toEqual([{ actor: moderator.did, previousStatus: "suspended" }]);
  expect((await login(u.name)).status).toBe(200);
});

test("moderator limits: staff and partner-manager targets, admin targets, takedown (before the lookup) → 403; nothing written", async () => {
  const other = await staffUser("moderator");
  const auditor = await staffUser("auditor");
  const pm = await staffUser("partner-manager");
  const plain = await approvedUser(e);
  const cases: Array<[string, string, () => Promise<{ status: number; body: any }>, string]> = [
    ["moderator suspends a moderator", other.did, () => suspend(moderator.accessJwt, other.did), "Forbidden"],
    ["moderator suspends an auditor", auditor.did, () => suspend(moderator.accessJwt, auditor.did), "Forbidden"],
    ["moderator suspends a partner-manager", pm.did, () => suspend(moderator.accessJwt, pm.did), "Forbidden"],
    ["moderator suspends the admin", e.admin.did, () => suspend(moderator.accessJwt, e.admin.did), "Forbidden"],
    ["admin suspends the admin", e.admin.did, () => suspend(e.admin.accessJwt, e.admin.did), "Forbidden"],
    ["admin takes the admin down", e.admin.did, () => takedown(e.admin.accessJwt, e.admin.did), "Forbidden"],
    ["moderator takes a user down", plain.did, () => takedown(moderator.accessJwt, plain.did), "Forbidden"],
    ["moderator untakedown", plain.did, () => untakedown(moderator.accessJwt, plain.did), "Forbidden"],
    // checked before the lookup: an unknown DID answers 403 too, not 404
    ["moderator takedown of an unknown DID", plain.did, () => takedown(moderator.accessJwt, "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"), "Forbidden"],
    ["an auditor", plain.did, () => suspend(auditor.accessJwt, plain.did), "Forbidden"],
    ["a partner-manager", plain.did, () => suspend(pm.accessJwt, plain.did), "Forbidden"],
    ["a user", plain.did, () => suspend((plain as { accessJwt: string }).accessJwt, plain.did), "Forbidden"],
  ];
  for (const [what, target, run, error] of cases) {
    const before = await snapshot(target);
    const r = await run();
    expect({ what, status: r.status, error: r.body.error }).toEqual({ what, status: 403, error });
    expect({ what, after: await snapshot(target) }).toEqual({ what, after: before });
  }
  // a moderator may suspend a user who has only the user role
  expect((await suspend(moderator.accessJwt, plain.did)).status).toBe(200);
  // unsuspending a staff member (suspended by an admin) is out of a moderator's reach as well
  expect((await suspend(e.admin.accessJwt, other.did)).status).toBe(200);
  const before = await snapshot(other.did);
  const r = await unsuspend(moderator.accessJwt, other.did);
  expect([r.status, r.body.error]).toEqual([403, "Forbidden"]);
  expect(await snapshot(other.did)).toEqual(before);
});

test("input and status refusals: exact status and error name, nothing written", async () => {
  const u = await approvedUser(e);
  const pending = await register(e);
  const mk = (body: unknown, token = e.admin.accessJwt) => () => call(e.url, UPDATE, { token, body });
  const cases: Array<[string, string, () => Promise<{ status: number; body: any }>, number, string]> = [
    ["both attributes", u.did, mk({ subject: subject(u.did), deactivated: { applied: true }, takedown: { applied: true } }), 400, "InvalidRequest"],
    ["neither attribute", u.did, mk({ subject: subject(u.did) }), 400, "InvalidRequest"],
    ["a strongRef subject", u.did, mk({ subject: { $type: "com.atproto.repo.strongRef", uri: `at://${u.did}/app.bsky.feed.post/3kabc`, cid: "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm" }, deactivated: { applied: true } }), 400, "InvalidRequest"],
    ["a blob subject", u.did, mk({ subject: { $type: "com.atproto.admin.defs#repoBlobRef", did: u.did, cid: "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm" }, deactivated: { applied: true } }), 400, "InvalidRequest"],
    ["a subject without $type", u.did, mk({ subject: { did: u.did }, deactivated: { applied: true } }), 400, "InvalidRequest"],
    ["ref of 1001 characters", u.did, mk({ subject: subject(u.did), deactivated: { applied: true, ref: "é".repeat(1001) } }), 400, "InvalidRequest"],
    ["an unknown DID", u.did, mk({ subject: subject("did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"), deactivated: { applied: true } }), 404, "NotFound"],
    ["unsuspend an approved account", u.did, mk({ subject: subject(u.did), deactivated: { applied: false } }), 400, "NotSuspended"],
    ["untakedown an approved account", u.did, mk({ subject: subject(u.did), takedown: { applied: false } }), 400, "NotTakenDown"],
    ["suspend a pending account", pending.did, mk({ subject: subject(pending.did), deactivated: { applied: true } }), 400, "InvalidStatus"],
    ["take a pending account down", pending.did, mk({ subject: subject(pending.did), takedown: { applied: true } }), 400, "InvalidStatus"],
    ["take an approved account down without a holder export", u.did, mk({ subject: subject(u.did), takedown: { applied: true } }), 409, "ExportRequired"],
    ["no token", u.did, () => call(e.url, UPDATE, { body: { subject: subject(u.did), deactivated: { applied: true } } }), 401, "AuthRequired"],
  ];
  for (const [what, target, run, status, error] of cases) {
    const before = await snapshot(target);
    const r = await run();
    expect({ what, status: r.status, error: r.body.error }).toEqual({ what, status, error });
    expect({ what, after: await snapshot(target) }).toEqual({ what, after: before });
  }
  // a ref of exactly 1000 characters is accepted
  expect((await suspend(e.admin.accessJwt, u.did, "é".repeat(1000))).status).toBe(200);
  // the second suspension and a suspended-account unsuspend-twice: AlreadySuspended / NotSuspended, nothing added
  let before = await snapshot(u.did);
  let again = await suspend(e.admin.accessJwt, u.did);
  expect([again.status, again.body.error]).toEqual([400, "AlreadySuspended"]);
  expect(await snapshot(u.did)).toEqual(before);
  const exp = await takedown(e.admin.accessJwt, u.did);
  expect([exp.status, exp.body.error]).toEqual([409, "ExportRequired"]);
  expect(exp.body.message).toContain("TAKEDOWN_EXPORT_GRACE_DAYS");
  expect(await snapshot(u.did)).toEqual(before);
  await ok(unsuspend(e.admin.accessJwt, u.did));
  before = await snapshot(u.did);
  again = await unsuspend(e.admin.accessJwt, u.did);
  expect([again.status, again.body.error]).toEqual([400, "NotSuspended"]);
  expect(await snapshot(u.did)).toEqual(before);
});

test("suspend a self-deactivated account, then unsuspend → deactivated, not approved; getSubjectStatus tells the two apart", async () => {
  const u = await approvedUser(e);
  const v = await approvedUser(e);
  await ok(call(e.url, "com.atproto.server.deactivateAccount", { token: u.accessJwt, body: {} }));
  await ok(call(e.url, "com.atproto.server.deactivateAccount", { token: v.accessJwt, body: {} }));
  await ok(suspend(moderator.accessJwt, u.did, "harassment"));
  expect(await row(u.did)).toMatchObject({ status: "suspended", previous: "deactivated" });
  const auditor = await staffUser("auditor");
  const su = await ok(getStatus(auditor.accessJwt, u.did));
  const sv = await ok(getStatus(auditor.accessJwt, v.did));
  // both read deactivated.applied=true in AT Protocol terms; accountStatus removes the ambiguity
  expect(su).toMatchObject({ subject: { $type: REPO_REF, did: u.did }, takedown: { applied: false }, deactivated: { applied: true, ref: "harassment" }, accountStatus: "suspended" });
  expect(sv).toMatchObject({ subject: { $type: REPO_REF, did: v.did }, takedown: { applied: false }, deactivated: { applied: true }, accountStatus: "deactivated" });
  expect(Date.parse(su.statusChangedAt)).toBeGreaterThan(0);

  const seq = await lastSeq();
  const back = await ok(unsuspend(moderator.accessJwt, u.did));
  expect(back.accountStatus).toBe("deactivated");
  expect(await row(u.did)).toMatchObject({ status: "deactivated", previous: null, suspendedAt: null });
  expect((await eventsAfter(seq, u.did)).map((x) => [x.type, x.body.active, x.body.status])).toEqual([["#account", false, "deactivated"]]);
  // the holder can log in again (an inactive session) and reactivate without any admin
  const s = await ok(login(u.name));
  expect([s.active, s.status]).toEqual([false, "deactivated"]);
});

test("getSubjectStatus: roles, unsupported subjects, unknown DIDs, an approved account", async () => {
  const u = await approvedUser(e);
  expect(await ok(getStatus(moderator.accessJwt, u.did))).toMatchObject({ subject: { $type: REPO_REF, did: u.did }, takedown: { applied: false }, deactivated: { applied: false }, accountStatus: "approved" });
  const cases: Array<[string, Promise<{ status: number; body: any }>, number, string]> = [
    ["a user", getStatus(u.accessJwt, u.did), 403, "Forbidden"],
    ["no token", call(e.url, GET, { params: { did: u.did } }), 401, "AuthRequired"],
    ["a uri subject", call(e.url, GET, { token: e.admin.accessJwt, params: { uri: `at://${u.did}/app.bsky.feed.post/3kabc` } }), 400, "InvalidRequest"],
    ["a blob subject", call(e.url, GET, { token: e.admin.accessJwt, params: { blob: "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm" } }), 400, "InvalidRequest"],
    ["no did", call(e.url, GET, { token: e.admin.accessJwt, params: {} }), 400, "InvalidRequest"],
    ["an unknown DID", getStatus(e.admin.accessJwt, "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"), 404, "NotFound"],
  ];
  for (const [what, p, status, error] of cases) {
    const r = await p;
    expect({ what, status: r.status, error: r.body.error }).toEqual({ what, status, error });
  }
});

test("a disabled account suspended by a moderator returns to disabled; concurrent suspensions: exactly one succeeds", async () => {
  const u = await approvedUser(e);
  await ok(call(e.url, "net.openfederation.account.disable", { token: e.admin.accessJwt, body: { did: u.did, reason: "closed" } }));
  await ok(suspend(moderator.accessJwt, u.did));
  expect(await row(u.did)).toMatchObject({ status: "suspended", previous: "disabled" });
  const seq = await lastSeq();
  expect((await ok(unsuspend(moderator.accessJwt, u.did))).accountStatus).toBe("disabled");
  expect((await eventsAfter(seq, u.did)).map((x) => [x.type, x.body.active, x.body.status])).toEqual([["#account", false, "deactivated"]]);
  const refused = await login(u.name);
  expect([refused.status, refused.body.error]).toEqual([403, "AccountDisabled"]);

  // five suspensions at once: one transition, one event, one audit row; the others AlreadySuspended
  const v = await approvedUser(e);
  const seq2 = await lastSeq();
  const replies = await Promise.all([0, 1, 2, 3, 4].map(() => suspend(e.admin.accessJwt, v.did)));
  expect(replies.map((r) => r.status).sort()).toEqual([200, 400, 400, 400, 400]);
  expect(new Set(replies.filter((r) => r.status === 400).map((r) => r.body.error))).toEqual(new Set(["AlreadySuspended"]));
  expect((await eventsAfter(seq2, v.did)).map((x) => x.type)).toEqual(["#account"]);
  expect(await auditMeta("account.suspend", v.did)).toHaveLength(1);
  // and five unsuspensions at once: one restore
  const seq3 = await lastSeq();
  const back = await Promise.all([0, 1, 2, 3, 4].map(() => unsuspend(e.admin.accessJwt, v.did)));
  expect(back.map((r) => r.status).sort()).toEqual([200, 400, 400, 400, 400]);
  expect(new Set(back.filter((r) => r.status === 400).map((r) => r.body.error))).toEqual(new Set(["NotSuspended"]));
  expect((await eventsAfter(seq3, v.did)).map((x) => x.type)).toEqual(["#account", "#identity", "#sync"]);
  expect(await auditMeta("account.unsuspend", v.did)).toHaveLength(1);
});

test("suspended then taken down: previousStatus kept; RepoTakendown, AccountTakedown; untakedown restores the pre-suspension status", async () => {
  const u = await approvedUser(e);
  await ok(suspend(e.admin.accessJwt, u.did, "first"));
  const suspendedAt = (await row(u.did)).suspendedAt;
  // 06 §2 (b): 14 days into the suspension the takedown needs no export (the clock moves for the whole server)
  e.pds.advanceClock(14 * 86_400_000 + 60_000);
  const admin = await ok(call(e.url, "com.atproto.server.createSession", { body: { identifier: "admin", password: "Admin-password-123" } }));
  const seq = await lastSeq();
  const r = await ok(takedown(admin.accessJwt, u.did, "illegal"));
  expect(r).toEqual({ subject: { $type: REPO_REF, did: u.did }, takedown: { applied: true, ref: "illegal" }, deactivated: { applied: false }, accountStatus: "takendown" });
  expect(await row(u.did)).toMatchObject({ status: "takendown", previous: "approved", reason: "illegal", suspendedAt });
  expect((await eventsAfter(seq, u.did)).map((x) => [x.type, x.body.active, x.body.status])).toEqual([["#account", false, "takendown"]]);
  expect(await auditMeta("account.takedown", u.did)).toEqual([{ actor: admin.did, previousStatus: "suspended", reason: "illegal" }]);

  const refused = await login(u.name);
  expect([refused.status, refused.body.error]).toEqual([401, "AccountTakedown"]);
  const restricted = await ok(login(u.name, { allowTakendown: true }));
  expect([restricted.active, restricted.status]).toEqual([false, "takendown"]);
  expect((await call(e.url, "com.atproto.repo.describeRepo", { token: restricted.accessJwt, params: { repo: u.did } })).status).toBe(200);
  const anon = await call(e.url, "com.atproto.repo.describeRepo", { params: { repo: u.did } });
  expect([anon.status, anon.body.error]).toEqual([400, "RepoTakendown"]);
  const gated = await call(e.url, "com.atproto.identity.updateHandle", { token: restricted.accessJwt, body: { handle: `${u.name}x.test` } });
  expect([gated.status, gated.body.error]).toEqual([410, "AccountTakenDown"]);
  // already taken down; unsuspend of a taken-down account is NotSuspended; nothing written by either
  const before = await snapshot(u.did);
  const again = await takedown(admin.accessJwt, u.did);
  expect([again.status, again.body.error]).toEqual([400, "AlreadyTakenDown"]);
  const un = await unsuspend(admin.accessJwt, u.did);
  expect([un.status, un.body.error]).toEqual([400, "NotSuspended"]);
  const sus = await suspend(admin.accessJwt, u.did);
  expect([sus.status, sus.body.error]).toEqual([400, "AlreadyTakenDown"]);
  expect(await snapshot(u.did)).toEqual(before);

  const seq2 = await lastSeq();
  const back = await ok(untakedown(admin.accessJwt, u.did));
  expect(back.accountStatus).toBe("approved");
  expect(await row(u.did)).toMatchObject({ status: "approved", previous: null, reason: null, suspendedAt: null });
  expect((await eventsAfter(seq2, u.did)).map((x) => x.type)).toEqual(["#account", "#identity", "#sync"]);
  expect(await auditMeta("account.untakedown", u.did)).toEqual([{ actor: admin.did, previousStatus: "takendown" }]);
  expect((await login(u.name)).status).toBe(200);
});

test("no handler answered with an undeclared error name or an output its lexicon refuses", () => {
  expect(e.pds.logs()).not.toContain("does not declare");
  expect(e.pds.logs()).not.toContain("does not match its lexicon");
});
