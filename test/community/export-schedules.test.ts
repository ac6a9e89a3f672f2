// Export schedules and snapshots (06 §10) against a real server: the scheduler under the moved dev clock, retention,
// files and SHA-256, CAR verification, failures and retry, who may call what, and that refusals write nothing.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { verifyRepoCar } from "@atproto/repo";
import { ok, plcSigningKey, xrpc } from "../e2e/_xrpc.ts";
import { setup, type Setup, type User } from "./moderation-setup.ts";

const ADM = "net.openfederation.admin";
const DAY = 86_400_000;

let t: Setup;
let owner: User;
let stranger: User;
let did: string;
let brittle: string;
beforeAll(async () => {
  t = await setup();
  owner = await t.register("olga");
  stranger = await t.register("sven");
  did = await t.community(owner, "vault");
});
afterAll(() => t?.stop());

/**
 * One scheduler check through the --dev trigger, answered when the run has ended. Twice: the first call may join a
 * run that started before the clock moved (the at-start run); the second then starts after it, on the moved clock.
 */
async function check(): Promise<void> {
  for (let i = 0; i < 2; i++) {
    const res = await fetch(`${t.pds.url}/_dev/jobs/export-scheduler`, { method: "POST" });
    expect(res.status).toBe(200);
  }
}
const schedules = () => t.count("SELECT count(*) AS n FROM export_schedules");
const snapshotRows = async (d: string) => (await t.db.query("SELECT * FROM export_snapshots WHERE community_did = ? ORDER BY created_at DESC, id DESC").all(d)) as any[];
const audits = (action: string) => t.count("SELECT count(*) AS n FROM audit_log WHERE action = ?", action);
const scheduleOf = async (d: string) => (await t.db.query("SELECT * FROM export_schedules WHERE community_did = ?").get(d)) as any;
const exportsDir = (d: string) => join(t.pds.dataDir, "exports", d);
const carFiles = (d: string) => (existsSync(exportsDir(d)) ? readdirSync(exportsDir(d)).filter((n) => n.endsWith(".car")).sort() : []);
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const head = async (d: string) => (await xrpc(t.pds.url, "com.atproto.sync.getLatestCommit", { params: { did: d } })).body as { cid: string; rev: string };
const create = (token: string, body: Record<string, unknown>) => xrpc(t.pds.url, `${ADM}.createExportSchedule`, { token, body });
/** Moves the server clock; sessions older than the access-token lifetime expire, so everyone logs in again. */
async function advance(ms: number) {
  t.pds.advanceClock(ms);
  for (const u of [t.admin, owner, stranger]) {
    u.token = (await ok(xrpc(t.pds.url, "com.atproto.server.createSession", { body: { identifier: u.handle, password: u.password } }))).accessJwt;
  }
}
/** a commit in the community repo: a new member joins */
let joiners = 0;
async function commit(d: string) {
  const u = await t.register(`joiner${joiners++}`);
  await t.join(u, d);
}

describe("createExportSchedule refusals write nothing", () => {
  test.each([
    ["the owner (not staff) → 403 Forbidden", () => owner.token, { communityDid: "vault", interval: "daily" }, 403, "Forbidden"],
    ["unknown community → 404 NotFound", () => t.admin.token, { communityDid: "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", interval: "daily" }, 404, "NotFound"],
    ["unknown handle → 404 NotFound", () => t.admin.token, { communityDid: "nosuchcommunity", interval: "daily" }, 404, "NotFound"],
    ["interval hourly → 400", () => t.admin.token, { communityDid: "vault", interval: "hourly" }, 400, "InvalidRequest"],
    ["retentionCount 0 → 400", () => t.admin.token, { communityDid: "vault", interval: "daily", retentionCount: 0 }, 400, "InvalidRequest"],
    ["retentionCount 101 → 400", () => t.admin.token, { communityDid: "vault", interval: "daily", retentionCount: 101 }, 400, "InvalidRequest"],
    ["no interval → 400", () => t.admin.token, { communityDid: "vault" }, 400, "InvalidRequest"],
  ] as const)("%s", async (_n, token, body, status, error) => {
    const before = [await schedules(), await audits("admin.export.schedule.create")];
    const r = await create(token(), body);
    expect([r.status, r.body.error]).toEqual([status, error]);
    expect([await schedules(), await audits("admin.export.schedule.create")]).toEqual(before);
  });
  test("anonymous → 401", async () => {
    const r = await xrpc(t.pds.url, `${ADM}.createExportSchedule`, { body: { communityDid: did, interval: "daily" } });
    expect([r.status, r.body.error]).toEqual([401, "AuthRequired"]);
    expect(await schedules()).toBe(0);
  });
});

describe("a daily schedule under the moved clock", () => {
  let id: string;
  test("create (by handle) → nextRunAt now; upsert keeps the id", async () => {
    const first = (await create(t.admin.token, { communityDid: "vault", interval: "weekly" })).body;
    expect(first).toMatchObject({ communityDid: did, interval: "weekly", retentionCount: 5, enabled: true });
    id = first.id;
    const again = await create(t.admin.token, { communityDid: did, interval: "daily", retentionCount: 2 });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id, communityDid: did, interval: "daily", retentionCount: 2, enabled: true });
    expect(Date.parse(again.body.nextRunAt)).toBeLessThanOrEqual(Date.now() + 5_000);
    expect(await schedules()).toBe(1);
    expect(await audits("admin.export.schedule.create")).toBe(2);
  });

  test("the first check writes one snapshot: file, SHA-256, rev, and a CAR that verifies against the signing key", async () => {
    await check();
    const rows = await snapshotRows(did);
    expect(rows.length).toBe(1);
    const row = rows[0];
    const current = await head(did);
    expect([row.rev, row.root_cid]).toEqual([current.rev, current.cid]);
    expect(row.storage_key).toMatch(new RegExp(`^${did}/\\d{8}T\\d{9}Z-${current.rev}\\.car$`));
    const bytes = new Uint8Array(readFileSync(join(t.pds.dataDir, "exports", row.storage_key)));
    expect([bytes.byteLength, sha256(bytes)]).toEqual([row.size_bytes, row.sha256]);
    const verified = await verifyRepoCar(bytes, did, await plcSigningKey(t.pds.plcUrl, did));
    expect(verified.creates.length).toBeGreaterThan(0);
    expect(await scheduleOf(did)).toMatchObject({ last_status: "success", last_error: null, last_export_at: row.created_at });
    const audit = (await t.db.query("SELECT actor_type, meta FROM audit_log WHERE action = 'admin.export.snapshot.success' AND target_did = ?").get(did)) as any;
    expect(audit.actor_type).toBe("system");
    expect(JSON.parse(audit.meta)).toEqual({ storageKey: row.storage_key, sizeBytes: row.size_bytes });
    // no temp file is left beside it
    expect(readdirSync(exportsDir(did))).toEqual([row.storage_key.split("/")[1]]);
  });

  test("a second check the same day writes nothing", async () => {
    await check();
    expect((await snapshotRows(did)).length).toBe(1);
  });

  test("one snapshot per day; only the newest retentionCount (2) stay, files and rows alike", async () => {
    const seen: string[] = [(await snapshotRows(did))[0].storage_key];
    for (let day = 1; day <= 3; day++) {
      await commit(did);
      await advance(DAY);
      await check();
      const rows = await snapshotRows(did);
      seen.unshift(rows[0].storage_key);
      expect(rows.map((r) => r.storage_key)).toEqual(seen.slice(0, Math.min(2, day + 1)));
      expect(rows[0].rev).toBe((await head(did)).rev);
      expect(carFiles(did)).toEqual(rows.map((r) => r.storage_key.split("/")[1]).sort());
      for (const r of rows) expect(sha256(readFileSync(join(t.pds.dataDir, "exports", r.storage_key)))).toBe(r.sha256);
    }
    expect(await audits("admin.export.snapshot.success")).toBe(4);
  });

  test("listExportSchedules: handle, last outcome, next run one day after the last success", async () => {
    const r = await xrpc(t.pds.url, `${ADM}.listExportSchedules`, { token: t.admin.token });
    expect(r.status).toBe(200);
    const s = r.body.schedules.find((x: any) => x.id === id);
    expect(s).toMatchObject({ communityDid: did, communityHandle: "vault.test", interval: "daily", retentionCount: 2, enabled: true, lastStatus: "success" });
    expect(s.lastError).toBeUndefined();
    expect(Date.parse(s.nextRunAt) - Date.parse(s.lastExportAt)).toBe(DAY);
  });

  test("listExportSnapshots: newest first, cursor paging loses and repeats nothing", async () => {
    const all = (await xrpc(t.pds.url, `${ADM}.listExportSnapshots`, { token: t.admin.token, params: { communityDid: did } })).body.snapshots;
    expect(all.map((s: any) => s.storageKey)).toEqual((await snapshotRows(did)).map((r) => r.storage_key));
    expect(Object.keys(all[0]).sort()).toEqual(["communityDid", "createdAt", "id", "rev", "rootCid", "sha256", "sizeBytes", "storageKey"]);
    const p1 = (await xrpc(t.pds.url, `${ADM}.listExportSnapshots`, { token: t.admin.token, params: { communityDid: "vault", limit: 1 } })).body;
    expect(p1.cursor).toBeString();
    const p2 = (await xrpc(t.pds.url, `${ADM}.listExportSnapshots`, { token: t.admin.token, params: { communityDid: did, limit: 1, cursor: p1.cursor } })).body;
    expect([...p1.snapshots, ...p2.snapshots].map((s: any) => s.id)).toEqual(all.map((s: any) => s.id));
    expect(p2.cursor).toBeUndefined();
  });

  test("listExportSnapshots refusals: unknown community → 404, the owner → 403", async () => {
    const r1 = await xrpc(t.pds.url, `${ADM}.listExportSnapshots`, { token: t.admin.token, params: { communityDid: "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa" } });
    expect([r1.status, r1.body.error]).toEqual([404, "NotFound"]);
    const r2 = await xrpc(t.pds.url, `${ADM}.listExportSnapshots`, { token: owner.token, params: { communityDid: did } });
    expect([r2.status, r2.body.error]).toEqual([403, "Forbidden"]);
  });
});

describe("getExportSnapshot", () => {
  const get = (token: string | undefined, id: string) =>
    fetch(`${t.pds.url}/xrpc/${ADM}.getExportSnapshot?id=${encodeURIComponent(id)}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const exportAudits = () => audits("community.export");

  test("an admin downloads the CAR bytes; it never counts as an owner export", async () => {
    const row = (await snapshotRows(did))[0];
    const before = (await t.row(did)).owner_exported_at;
    const res = await get(t.admin.token, row.id);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("application/vnd.ipld.car");
    expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(row.sha256);
    expect((await t.row(did)).owner_exported_at).toBe(before);
  });

  test("another user → 403, anonymous → 401, unknown id → 404; nothing recorded", async () => {
    const row = (await snapshotRows(did))[0];
    const before = await exportAudits();
    const r1 = await get(stranger.token, row.id);
    expect([r1.status, ((await r1.json()) as any).error]).toEqual([403, "Forbidden"]);
    expect((await get(undefined, row.id)).status).toBe(401);
    const r3 = await get(t.admin.token, "no-such-snapshot");
    expect([r3.status, ((await r3.json()) as any).error]).toEqual([404, "NotFound"]);
    expect(await exportAudits()).toBe(before);
    expect((await t.row(did)).owner_exported_rev).toBeNull();
  });

  test("the owner's download of an older snapshot does not count; of the current one it does (06 §2)", async () => {
    const [newest, older] = await snapshotRows(did);
    // scheduled snapshots and an admin's download never satisfy the export rule
    const refused = await xrpc(t.pds.url, "net.openfederation.community.takedown", { token: t.admin.token, body: { did, reason: "test" } });
    expect([refused.status, refused.body.error]).toEqual([409, "ExportRequired"]);
    const res = await get(owner.token, older.id);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect((await t.row(did)).owner_exported_rev).toBeNull();
    expect(newest.rev).toBe((await head(did)).rev);
    const cur = await get(owner.token, newest.id);
    expect(cur.status).toBe(200);
    expect(sha256(new Uint8Array(await cur.arrayBuffer()))).toBe(newest.sha256);
    expect((await t.row(did)).owner_exported_rev).toBe(newest.rev);
    const meta = JSON.parse(((await t.db.query("SELECT meta FROM audit_log WHERE action = 'community.export' AND target_did = ? ORDER BY id DESC").get(did)) as any).meta);
    expect(meta).toEqual({ format: "car", snapshot: newest.storage_key, byOwner: true, current: true });
    // now the owner holds a complete copy: the takedown is allowed
    const r = await xrpc(t.pds.url, "net.openfederation.community.takedown", { token: t.admin.token, body: { did, reason: "test" } });
    expect(r.status).toBe(200);
    expect((await t.row(did)).status).toBe("takendown");
  });
});

describe("failures are recorded and retried; suspended communities are snapshotted too", () => {
  test("a file where the community's exports directory should be → lastStatus failed, lastError, audit; nothing stored", async () => {
    brittle = await t.community(owner, "brittle");
    await create(t.admin.token, { communityDid: brittle, interval: "daily" });
    writeFileSync(exportsDir(brittle), "in the way");
    await check();
    const s = await scheduleOf(brittle);
    expect(s.last_status).toBe("failed");
    expect(s.last_error).toContain(`exports/${brittle}`);
    expect(s.last_error).not.toContain(t.pds.dataDir);
    expect(s.last_export_at).toBeNull();
    expect((await snapshotRows(brittle)).length).toBe(0);
    const audit = (await t.db.query("SELECT actor_type, meta FROM audit_log WHERE action = 'admin.export.snapshot.failed' AND target_did = ?").get(brittle)) as any;
    expect([audit.actor_type, JSON.parse(audit.meta)]).toEqual(["system", { error: s.last_error }]);
    const listed = (await xrpc(t.pds.url, `${ADM}.listExportSchedules`, { token: t.admin.token })).body.schedules.find((x: any) => x.communityDid === brittle);
    expect(listed).toMatchObject({ lastStatus: "failed", lastError: s.last_error });
    expect(listed.lastExportAt).toBeUndefined();
  });

  test("fixed, the next check (same clock) succeeds", async () => {
    rmSync(exportsDir(brittle));
    await check();
    expect(await scheduleOf(brittle)).toMatchObject({ last_status: "success", last_error: null });
    expect((await snapshotRows(brittle)).length).toBe(1);
    expect(carFiles(brittle).length).toBe(1);
  });

  test("a suspended community and a takendown one still get their daily snapshots (retention still applies)", async () => {
    const r = await xrpc(t.pds.url, "net.openfederation.community.suspend", { token: t.admin.token, body: { did: brittle, reason: "test" } });
    expect(r.status).toBe(200);
    const before = (await snapshotRows(did)).map((x) => x.id);
    await advance(DAY);
    await check();
    expect((await snapshotRows(brittle)).length).toBe(2);
    const after = (await snapshotRows(did)).map((x) => x.id);
    expect(after.length).toBe(2);
    expect(after[1]).toBe(before[0]);
    expect(before).not.toContain(after[0]);
  });

  test("a disabled schedule is not run", async () => {
    await create(t.admin.token, { communityDid: brittle, interval: "daily", enabled: false });
    await advance(DAY);
    await check();
    expect((await snapshotRows(brittle)).length).toBe(2);
    expect((await scheduleOf(brittle)).enabled).toBe(0);
  });

  test("listExportSchedules pages with a cursor", async () => {
    const p1 = (await xrpc(t.pds.url, `${ADM}.listExportSchedules`, { token: t.admin.token, params: { limit: 1 } })).body;
    const p2 = (await xrpc(t.pds.url, `${ADM}.listExportSchedules`, { token: t.admin.token, params: { limit: 1, cursor: p1.cursor } })).body;
    expect([...p1.schedules, ...p2.schedules].map((s: any) => s.communityDid)).toEqual([did, brittle]);
    expect(p2.cursor).toBeUndefined();
    const r = await xrpc(t.pds.url, `${ADM}.listExportSchedules`, { token: stranger.token });
    expect([r.status, r.body.error]).toEqual([403, "Forbidden"]);
  });
});

describe("restore from a snapshot (docs/snapshots.md): getExportSnapshot, then admin.importRepo", () => {
  test("the downloaded snapshot restores the records it holds, under a new head", async () => {
    const phoenix = await t.community(owner, "phoenix");
    await create(t.admin.token, { communityDid: phoenix, interval: "daily" });
    await check();
    const [snap] = await snapshotRows(phoenix);
    const records = () => t.db.query("SELECT collection || '/' || rkey AS path, cid FROM records WHERE did = ? ORDER BY collection, rkey").all(phoenix);
    const original = await records();
    await commit(phoenix); // a member joins after the snapshot
    expect((await records()).length).toBe(original.length + 1);
    const car = new Uint8Array(await (await fetch(`${t.pds.url}/xrpc/${ADM}.getExportSnapshot?id=${snap.id}`, { headers: { authorization: `Bearer ${t.admin.token}` } })).arrayBuffer());
    expect(sha256(car)).toBe(snap.sha256);
    const res = await fetch(`${t.pds.url}/xrpc/${ADM}.importRepo?did=${encodeURIComponent(phoenix)}&replace=true`, {
      method: "POST", headers: { authorization: `Bearer ${t.admin.token}`, "content-type": "application/vnd.ipld.car" }, body: car,
    });
    expect(res.status).toBe(200);
    expect(await records()).toEqual(original);
    const now = await head(phoenix);
    expect(now.rev > snap.rev).toBe(true);
  });
});

describe("deleteExportSchedule", () => {
  const del = (token: string, body: Record<string, unknown>) => xrpc(t.pds.url, `${ADM}.deleteExportSchedule`, { token, body });

  test("refusals: the owner → 403, unknown community → 404; nothing deleted", async () => {
    const before = [await schedules(), await audits("admin.export.schedule.delete"), carFiles(did).length];
    const r1 = await del(owner.token, { communityDid: did, deleteSnapshots: true });
    expect([r1.status, r1.body.error]).toEqual([403, "Forbidden"]);
    const r2 = await del(t.admin.token, { communityDid: "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa" });
    expect([r2.status, r2.body.error]).toEqual([404, "NotFound"]);
    expect([await schedules(), await audits("admin.export.schedule.delete"), carFiles(did).length]).toEqual(before);
  });

  test("without deleteSnapshots the snapshots stay (rows, files, downloads)", async () => {
    const keys = (await snapshotRows(did)).map((r) => r.storage_key);
    const r = await del(t.admin.token, { communityDid: did });
    expect(r.body).toEqual({ success: true });
    expect(await scheduleOf(did)).toBeNull();
    expect((await snapshotRows(did)).map((x) => x.storage_key)).toEqual(keys);
    expect(carFiles(did).length).toBe(keys.length);
    expect(await audits("admin.export.schedule.delete")).toBe(1);
    const again = await del(t.admin.token, { communityDid: did });
    expect([again.status, again.body.error]).toEqual([404, "NotFound"]);
  });

  test("with deleteSnapshots the files, the directory and the rows go", async () => {
    expect(carFiles(brittle).length).toBe(2);
    const r = await del(t.admin.token, { communityDid: "brittle", deleteSnapshots: true });
    expect(r.body).toEqual({ success: true });
    expect((await snapshotRows(brittle)).length).toBe(0);
    expect(existsSync(exportsDir(brittle))).toBe(false);
    const meta = JSON.parse(((await t.db.query("SELECT meta FROM audit_log WHERE action = 'admin.export.schedule.delete' AND target_did = ?").get(brittle)) as any).meta);
    expect(meta).toEqual({ deleteSnapshots: true, snapshotsDeleted: 2 });
  });
});
