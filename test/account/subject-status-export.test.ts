// updateSubjectStatus and the export rule (06 §2) on a real server: holder vs admin exports, stale exports; community DIDs (04 §6).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { approvedUser, call, ok, startEnv, type Env } from "./_support.ts";

let e: Env;
beforeAll(async () => {
  e = await startEnv();
});
afterAll(() => e?.stop());

const UPDATE = "com.atproto.admin.updateSubjectStatus";
const REPO_REF = "com.atproto.admin.defs#repoRef";
const update = (token: string, did: string, attr: Record<string, unknown>) => call(e.url, UPDATE, { token, body: { subject: { $type: REPO_REF, did }, ...attr } });
const row = async (did: string) => (await e.sql<{ status: string; rev: string | null }>("SELECT status, holder_exported_rev AS rev FROM accounts WHERE did = ?", did))[0]!;
const community = async (did: string) => (await e.sql<{ status: string; reason: string | null }>("SELECT status, status_reason AS reason FROM communities WHERE did = ?", did))[0]!;
const auditCount = async (did: string) => (await e.sql<{ n: number }>("SELECT count(*) AS n FROM audit_log WHERE target_did = ? AND (action LIKE '%suspend' OR action LIKE '%takedown')", did))[0]!.n;
const lastSeq = async () => (await e.sql<{ s: number }>("SELECT COALESCE(MAX(seq), 0) AS s FROM repo_events"))[0]!.s;
const getRepo = async (token: string | undefined, did: string) => {
  const res = await fetch(`${e.url}/xrpc/com.atproto.sync.getRepo?did=${encodeURIComponent(did)}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  expect(res.status).toBe(200);
  await res.arrayBuffer(); // the whole CAR: only a complete download can count
};

test("takedown right after suspension → 409; an admin's full getRepo does not count; the holder's restricted-session download does", async () => {
  const u = await approvedUser(e);
  await ok(update(e.admin.accessJwt, u.did, { deactivated: { applied: true, ref: "review" } }));
  const refused = await update(e.admin.accessJwt, u.did, { takedown: { applied: true } });
  expect([refused.status, refused.body.error]).toEqual([409, "ExportRequired"]);

  // staff downloads never satisfy the rule (06 §2)
  await getRepo(e.admin.accessJwt, u.did);
  await ok(call(e.url, "net.openfederation.account.export", { token: e.admin.accessJwt, params: { did: u.did } }));
  expect(await row(u.did)).toEqual({ status: "suspended", rev: null });
  const seq = await lastSeq();
  const still = await update(e.admin.accessJwt, u.did, { takedown: { applied: true } });
  expect([still.status, still.body.error]).toEqual([409, "ExportRequired"]);
  expect([(await row(u.did)).status, await lastSeq(), await auditCount(u.did)]).toEqual(["suspended", seq, 1]);

  // the holder logs in with allowTakendown and downloads the full repo: (a) performed
  const restricted = await ok(call(e.url, "com.atproto.server.createSession", { body: { identifier: u.name, password: "Correct-horse-9", allowTakendown: true } }));
  await getRepo(restricted.accessJwt, u.did);
  expect((await row(u.did)).rev).toBeString();
  const done = await ok(update(e.admin.accessJwt, u.did, { takedown: { applied: true, ref: "confirmed" } }));
  expect(done).toMatchObject({ takedown: { applied: true, ref: "confirmed" }, deactivated: { applied: false }, accountStatus: "takendown" });
  expect((await row(u.did)).status).toBe("takendown");
});

test("the holder's restricted-session account.export (JSON) satisfies the rule too", async () => {
  const u = await approvedUser(e);
  await ok(update(e.admin.accessJwt, u.did, { deactivated: { applied: true } }));
  const restricted = await ok(call(e.url, "com.atproto.server.createSession", { body: { identifier: u.name, password: "Correct-horse-9", allowTakendown: true } }));
  await ok(call(e.url, "net.openfederation.account.export", { token: restricted.accessJwt, params: { did: u.did } }));
  expect((await row(u.did)).rev).toBeString();
  expect((await ok(update(e.admin.accessJwt, u.did, { takedown: { applied: true } }))).accountStatus).toBe("takendown");
  // after the takedown the holder can still export with a restricted session (06 §2)
  const again = await ok(call(e.url, "com.atproto.server.createSession", { body: { identifier: u.name, password: "Correct-horse-9", allowTakendown: true } }));
  expect((await call(e.url, "net.openfederation.account.export", { token: again.accessJwt, params: { did: u.did } })).status).toBe(200);
  await getRepo(again.accessJwt, u.did);
});

test("a holder export made stale by a later commit no longer satisfies the rule", async () => {
  const u = await approvedUser(e);
  await getRepo(u.accessJwt, u.did);
  const exportedRev = (await row(u.did)).rev;
  expect(exportedRev).toBeString();
  await ok(call(e.url, "com.atproto.repo.createRecord", { token: u.accessJwt, body: { repo: u.did, collection: "app.bsky.feed.post", record: { text: "after the export", createdAt: new Date().toISOString() } } }));
  const seq = await lastSeq();
  const r = await update(e.admin.accessJwt, u.did, { takedown: { applied: true } });
  expect([r.status, r.body.error]).toEqual([409, "ExportRequired"]);
  expect([await row(u.did), await lastSeq(), await auditCount(u.did)]).toEqual([{ status: "approved", rev: exportedRev }, seq, 0]);
  // a fresh export covers the new head: takedown straight from approved
  await getRepo(u.accessJwt, u.did);
  expect((await ok(update(e.admin.accessJwt, u.did, { takedown: { applied: true } }))).accountStatus).toBe("takendown");
  // untakedown from a takedown that did not pass through a suspension restores approved
  expect((await ok(update(e.admin.accessJwt, u.did, { takedown: { applied: false } }))).accountStatus).toBe("approved");
});

test("a community DID maps to the community moderation (admin only), with getSubjectStatus in the same shape", async () => {
  const owner = await approvedUser(e);
  const did = (await ok(call(e.url, "net.openfederation.community.create", { token: owner.accessJwt, body: { handle: `c${owner.name}`, didMethod: "plc" } }))).did as string;
  const mod = await approvedUser(e);
  await ok(call(e.url, "net.openfederation.account.updateRoles", { token: e.admin.accessJwt, body: { did: mod.did, addRoles: ["moderator"] } }));
  const modToken = (await ok(call(e.url, "com.atproto.server.createSession", { body: { identifier: mod.name, password: "Correct-horse-9" } }))).accessJwt as string;

  const before = { c: await community(did), audit: await auditCount(did), seq: await lastSeq() };
  const byMod = await update(modToken, did, { deactivated: { applied: true } });
  expect([byMod.status, byMod.body.error]).toEqual([403, "Forbidden"]);
  const noExport = await update(e.admin.accessJwt, did, { takedown: { applied: true } });
  expect([noExport.status, noExport.body.error]).toEqual([409, "ExportRequired"]);
  const notSus = await update(e.admin.accessJwt, did, { deactivated: { applied: false } });
  expect([notSus.status, notSus.body.error]).toEqual([400, "NotSuspended"]);
  expect({ c: await community(did), audit: await auditCount(did), seq: await lastSeq() }).toEqual(before);

  const r = await ok(update(e.admin.accessJwt, did, { deactivated: { applied: true, ref: "review" } }));
  expect(r).toEqual({ subject: { $type: REPO_REF, did }, takedown: { applied: false }, deactivated: { applied: true, ref: "review" }, accountStatus: "suspended" });
  expect(await community(did)).toEqual({ status: "suspended", reason: "review" });
  const seen = await ok(call(e.url, "com.atproto.admin.getSubjectStatus", { token: modToken, params: { did } }));
  expect(seen).toMatchObject({ subject: { $type: REPO_REF, did }, deactivated: { applied: true, ref: "review" }, takedown: { applied: false }, accountStatus: "suspended" });
  expect(Date.parse(seen.statusChangedAt)).toBeGreaterThan(0);
  const again = await update(e.admin.accessJwt, did, { deactivated: { applied: true } });
  expect([again.status, again.body.error]).toEqual([400, "AlreadySuspended"]);
  expect((await ok(update(e.admin.accessJwt, did, { deactivated: { applied: false } }))).accountStatus).toBe("active");
  expect((await e.sql<{ action: string }>("SELECT action FROM audit_log WHERE target_did = ? AND action LIKE 'community.%suspend' ORDER BY created_at", did)).map((a) => a.action)).toEqual(["community.suspend", "community.unsuspend"]);
});

test("no handler answered with an undeclared error name or an output its lexicon refuses", () => {
  expect(e.pds.logs()).not.toContain("does not declare");
  expect(e.pds.logs()).not.toContain("does not match its lexicon");
});
