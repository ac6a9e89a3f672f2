// `ofpds repair reindex <did>` on a real data set: refused while the server runs and for unknown input (nothing
// changed); after the records index and blob references of a repo are lost, rebuilt from its blocks.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { verifyRepoCar } from "@atproto/repo";
import { runCli, tempDirs } from "../_support/process.ts";
import { openTestDatabase } from "../_support/db.ts";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { adminEnv, adminToken, createPost, registerApproved, type User } from "../firehose/_support.ts";
import { ok, plcSigningKey, xrpc } from "../e2e/_xrpc.ts";

setDefaultTimeout(90_000);
const dir = tempDirs("ofpds-repair-");
let dataDir: string;
let pds: RunningPds | undefined;
let alice: User;
let bob: User;
let community: string;
let plcPort: string;

/** Rows of the data set's database (either engine), without PostgreSQL's added `rowid` column (SQLite's stays hidden). */
const sql = async <T = any>(q: string, ...args: unknown[]): Promise<T[]> => {
  const db = await openTestDatabase(dataDir);
  try {
    return (await db.raw.all<Record<string, unknown>>(q, args)).map(({ rowid: _, ...row }) => row as T);
  } finally {
    await db.close();
  }
};
/** The damage a test does to the projections (the server stopped): one transaction of DELETEs. */
const damage = async (...statements: Array<[string, ...unknown[]]>) => {
  const db = await openTestDatabase(dataDir);
  try {
    await db.transaction(async (tx) => {
      for (const [q, ...args] of statements) await tx.raw.run(q, args);
    });
  } finally {
    await db.close();
  }
};
const state = async () => ({
  records: await sql("SELECT did, collection, rkey, cid FROM records ORDER BY did, collection, rkey"),
  refs: await sql("SELECT * FROM record_blobs ORDER BY record_uri"),
  roots: await sql("SELECT did, commit_cid, rev FROM repo_roots ORDER BY did"),
  events: (await sql("SELECT count(*) AS n FROM repo_events"))[0],
  audit: (await sql("SELECT count(*) AS n FROM audit_log"))[0],
});
const reindex = (did: string, extra: string[] = []) => runCli(["repair", "reindex", did, "--dev", "--data-dir", dataDir, "--json", ...extra], { env: { PLC_PORT: plcPort } });

beforeAll(async () => {
  dataDir = join(dir(), "data");
  pds = await startPds(adminEnv(), { dataDir });
  plcPort = new URL(pds.plcUrl).port;
  const admin = await adminToken(pds.url);
  alice = await registerApproved(pds.url, admin, "alice");
  for (let i = 0; i < 4; i++) await createPost(pds.url, alice, `p${i}`);
  const up = await fetch(`${pds.url}/xrpc/com.atproto.repo.uploadBlob`, { method: "POST", headers: { "content-type": "image/png", authorization: `Bearer ${alice.token}` }, body: crypto.getRandomValues(new Uint8Array(3000)) });
  const ref = (await up.json()).blob;
  await ok(xrpc(pds.url, "com.atproto.repo.createRecord", { token: alice.token, body: { repo: alice.did, collection: "app.bsky.feed.post", record: { $type: "app.bsky.feed.post", text: "img", createdAt: new Date().toISOString(), embed: { $type: "app.bsky.embed.images", images: [{ alt: "", image: ref }] } } } }));
  bob = await registerApproved(pds.url, admin, "bob");
  community = (await ok(xrpc(pds.url, "net.openfederation.community.create", { token: alice.token, body: { handle: "garden", didMethod: "plc", joinPolicy: "open" } }))).did;
  await ok(xrpc(pds.url, "net.openfederation.community.join", { token: bob.token, body: { did: community } }));
});
afterAll(async () => {
  await pds?.stop();
});

test("while the server holds the lock → exit 1 DataDirLocked; not a DID → 2; unknown DID → 4; nothing changed", async () => {
  const before = await state();
  const locked = await reindex(alice.did);
  expect(locked.code).toBe(1);
  expect(JSON.parse(locked.stderr)).toMatchObject({ error: "DataDirLocked", exitCode: 1 });
  expect(await pds!.stop()).toBe(0);
  pds = undefined;
  const notDid = await reindex("alice.test");
  expect(notDid.code).toBe(2);
  const unknown = await reindex("did:plc:aaaaaaaaaaaaaaaaaaaaaaaa");
  expect(unknown.code).toBe(4);
  expect(JSON.parse(unknown.stderr)).toMatchObject({ error: "RepoNotFound", exitCode: 4 });
  expect(await state()).toEqual(before);
});

test("a lost records index and blob references are rebuilt from the blocks; the repo verifies and serves", async () => {
  const before = await state();
  const mine = (rows: any[]) => rows.filter((r) => r.did === alice.did || r.record_uri?.startsWith(`at://${alice.did}/`));
  const aliceRecords = mine(before.records).map(({ collection, rkey, cid }) => ({ collection, rkey, cid }));
  expect(aliceRecords.length).toBeGreaterThanOrEqual(5);
  expect(mine(before.refs).length).toBe(1);
  // the damage: the projections of alice's repo are gone, her blocks are intact
  await damage(["DELETE FROM records WHERE did = ?", alice.did], ["DELETE FROM record_blobs WHERE record_uri LIKE ?", `at://${alice.did}/%`]);

  const r = await reindex(alice.did);
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout);
  expect(out).toMatchObject({ did: alice.did, recordCount: aliceRecords.length });
  const after = await state();
  expect(mine(after.records).map(({ collection, rkey, cid }) => ({ collection, rkey, cid }))).toEqual(aliceRecords);
  expect(mine(after.refs).map((x: any) => [x.record_uri, x.cid])).toEqual(mine(before.refs).map((x: any) => [x.record_uri, x.cid]));
  // other repos untouched; alice's head is a new commit of ours, announced (#identity, #sync) and audited
  expect(after.records.filter((x: any) => x.did !== alice.did)).toEqual(before.records.filter((x: any) => x.did !== alice.did));
  const head = after.roots.find((x: any) => x.did === alice.did) as any;
  expect(head.commit_cid).toBe(out.rootCid);
  expect(head.rev > (before.roots.find((x: any) => x.did === alice.did) as any).rev).toBe(true);
  expect((await sql("SELECT type FROM repo_events ORDER BY seq DESC LIMIT 2")).map((e: any) => e.type).sort()).toEqual(["#identity", "#sync"]);
  expect(await sql("SELECT action, target_did FROM audit_log ORDER BY rowid DESC LIMIT 1")).toEqual([{ action: "admin.importRepo", target_did: alice.did }]);

  const restarted = await startPds(adminEnv(), { dataDir });
  try {
    const car = new Uint8Array(await (await fetch(`${restarted.url}/xrpc/com.atproto.sync.getRepo?did=${alice.did}`)).arrayBuffer());
    const verified = await verifyRepoCar(car, alice.did, await plcSigningKey(restarted.plcUrl, alice.did));
    expect(verified.creates.length).toBe(aliceRecords.length);
    const listed = await ok(xrpc(restarted.url, "com.atproto.repo.listRecords", { params: { repo: alice.did, collection: "app.bsky.feed.post", limit: 100 } }));
    expect(listed.records.length).toBe(aliceRecords.filter((x) => x.collection === "app.bsky.feed.post").length);
  } finally {
    await restarted.stop();
  }
});

test("a community's lost members and roles projections are rebuilt from its repo", async () => {
  const projection = async () => ({
    members: await sql("SELECT * FROM community_members WHERE community_did = ? ORDER BY member_did", community),
    roles: await sql("SELECT * FROM community_roles WHERE community_did = ? ORDER BY rkey", community),
    records: await sql("SELECT collection, rkey, cid FROM records WHERE did = ? ORDER BY collection, rkey", community),
  });
  const before = await projection();
  expect(before.members.map((m: any) => m.member_did).sort()).toEqual([alice.did, bob.did].sort());
  expect(before.roles.length).toBeGreaterThanOrEqual(3);
  await damage(["DELETE FROM community_members WHERE community_did = ?", community], ["DELETE FROM community_roles WHERE community_did = ?", community], ["DELETE FROM records WHERE did = ?", community]);
  const r = await reindex(community);
  expect(r.code).toBe(0);
  const after = await projection();
  expect(after.records).toEqual(before.records);
  const strip = (rows: any[]) => rows.map(({ joined_at, updated_at, created_at, ...rest }) => rest);
  expect(strip(after.members)).toEqual(strip(before.members));
  expect(strip(after.roles)).toEqual(strip(before.roles));
});
