// RepoService, the write path (spec 03 §3): prepare and validate ops, then commit under the per-DID lock in one
// transaction (records index, blob refs, blocks, root, #commit event) with the tree cache rules of tree-cache.ts.
import * as dagCbor from "@ipld/dag-cbor";
import type { Keypair } from "@atproto/crypto";
import { MST, WriteOpAction, type RecordWriteOp } from "@atproto/repo";
import { CID } from "multiformats/cid";
import type { Tx } from "../db/database.ts";
import type { RepoOp } from "../sequencer/events.ts";
import { DomainError, invalidRequest } from "../errors.ts";
import { blocksToCar } from "./car.ts";
import { assertCollection, assertNotManaged, assertRkey, defaultRkey, lexiconApplies, prepareRecord, recordToJson, type PreparedRecord } from "./records.ts";
import { assertBlobRefsInTx, dropRecordBlobsInTx, findBlobRefs, setRecordBlobsInTx, type FoundBlobRef } from "../blob/refs.ts";
import { SqlRepoStorage } from "./storage.ts";
import { formatCommit, type TreeWrite } from "./commit.ts";
import type { CachedTree } from "./tree-cache.ts";
import type { Cid } from "@atproto/lex-data";
import { getRecord, readHead } from "./read.ts";
import type { RepoCtx, WriteOp, WriteOptions, WriteResult, WriteResultItem } from "./service.ts";

/** Max ops per commit (applyWrites) and max `#commit` blocks CAR (spec 03 §7). */
export const MAX_WRITES = 200;
export const MAX_COMMIT_CAR_BYTES = 2_000_000;

export const invalidSwap = (message: string) => new DomainError("invalid", "InvalidSwap", message);

interface PreparedOp {
  action: "create" | "update" | "put" | "delete";
  collection: string;
  rkey: string;
  swapRecord?: string | null;
  ifExists?: boolean;
  record?: PreparedRecord;
  /** blob refs in `record` (src/blob), checked and indexed in the commit transaction */
  blobRefs?: FoundBlobRef[];
}

export async function write(ctx: RepoCtx, did: string, ops: WriteOp[], opts: WriteOptions = {}): Promise<WriteResult> {
  if (ops.length === 0 || ops.length > MAX_WRITES) throw invalidRequest(`A commit holds 1–${MAX_WRITES} writes`);
  // the guard first: a governed write is refused (403) before the managed-collection check (400); again in the tx
  await ctx.deps.writeGuard?.check(did, () => ops, async (collection, rkey) => (await getRecord(ctx, did, collection, rkey))?.value);
  const prepared = await prepareOps(ctx, ops, opts);
  if (!(await readHead(ctx, did))) throw invalidRequest(`Repo not hosted here: ${did}`);
  const keypair = await ctx.deps.signingKeypair(did);
  return ctx.locks.run(did, () =>
    ctx.deps.db.transaction(async (tx) => {
      const result = await commitInTx(ctx, tx, did, prepared, keypair, opts);
      await opts.inTx?.(tx, result);
      return result;
    }, { lockKey: did }),
  );
}

/**
 * One commit inside the CALLER's transaction (account deletion commits to several community repos in one
 * transaction). No per-DID lock: taking it while holding the write transaction could deadlock with a write()
 * that holds it and waits for the transaction. It is not needed for correctness: the head is read inside this
 * transaction and the single write transaction excludes every other commit until COMMIT.
 */
export async function writeInTx(ctx: RepoCtx, tx: Tx, did: string, ops: WriteOp[], opts: WriteOptions = {}): Promise<WriteResult> {
  if (ops.length === 0 || ops.length > MAX_WRITES) throw invalidRequest(`A commit holds 1–${MAX_WRITES} writes`);
  const prepared = await prepareOps(ctx, ops, opts);
  const keypair = await ctx.deps.signingKeypair(did);
  const result = await commitInTx(ctx, tx, did, prepared, keypair, opts);
  await opts.inTx?.(tx, result);
  return result;
}

async function prepareOps(ctx: RepoCtx, ops: WriteOp[], opts: WriteOptions): Promise<PreparedOp[]> {
  const seen = new Set<string>();
  const out: PreparedOp[] = [];
  for (const op of ops) {
    assertCollection(op.collection);
    if (!opts.managed) assertNotManaged(op.collection);
    const rkey = op.rkey ?? defaultRkey(ctx.lexicons, op.collection);
    assertRkey(ctx.lexicons, op.collection, rkey, op.action !== "delete" && lexiconApplies(op.collection, opts.validate));
    const path = `${op.collection}/${rkey}`;
    if (seen.has(path)) throw invalidRequest(`Repeated write to ${path}`);
    seen.add(path);
    const p: PreparedOp = { action: op.action, collection: op.collection, rkey, swapRecord: op.swapRecord };
    if (op.action === "delete") p.ifExists = op.ifExists;
    else {
      p.record = await prepareRecord(ctx.lexicons, op.collection, op.record, opts.validate);
      p.blobRefs = findBlobRefs(p.record.value);
    }
    out.push(p);
  }
  return out;
}

async function commitInTx(ctx: RepoCtx, tx: Tx, did: string, ops: PreparedOp[], keypair: Keypair, opts: WriteOptions): Promise<WriteResult> {
  const storage = new SqlRepoStorage(tx.raw, did);
  const root = await storage.root();
  if (!root) throw invalidRequest(`Repo not hosted here: ${did}`);
  if (opts.swapCommit !== undefined && opts.swapCommit !== root.cid.toString()) {
    throw invalidSwap(`Commit was at ${root.cid.toString()}`);
  }
  if (opts.rev !== undefined && !(opts.rev > root.rev)) throw invalidSwap(`Commit rev ${opts.rev} does not follow ${root.rev}`);
  // authoritative guard check: under the per-DID lock, on the state this commit builds on
  await ctx.deps.writeGuard?.check(did, () => ops.map(guardOp), async (collection, rkey) => {
    const row = await tx.raw.get<{ value: string }>("SELECT value FROM records WHERE did = ? AND collection = ? AND rkey = ?", [did, collection, rkey]);
    return row ? (JSON.parse(row.value) as unknown) : undefined;
  });
  const writes: RecordWriteOp[] = [];
  const eventOps: RepoOp[] = [];
  const results: WriteResultItem[] = [];
  const applied: PreparedOp[] = [];
  for (const op of ops) {
    const path = `${op.collection}/${op.rkey}`;
    const uri = `at://${did}/${path}`;
    const prev = (await tx.raw.get<{ cid: string }>("SELECT cid FROM records WHERE did = ? AND collection = ? AND rkey = ?", [did, op.collection, op.rkey]))?.cid;
    if (op.swapRecord === null && prev) throw invalidSwap(`Record ${path} already exists`);
    if (typeof op.swapRecord === "string" && op.swapRecord !== prev) throw invalidSwap(`Record ${path} was at ${prev ?? "null"}`);
    let action = op.action;
    if (action === "put") action = prev ? "update" : "create";
    if (action === "create" && prev) {
      throw invalidRequest(ops.length === 1 ? "Record already exists, use putRecord" : `Record already exists: ${path}`);
    }
    if (action === "update" && !prev) throw invalidRequest(`Record not found: ${path}`);
    if (action === "delete" && !prev) {
      if (op.ifExists) {
        results.push({ action: "delete", uri });
        continue;
      }
      throw invalidRequest(`Record not found: ${path}`);
    }
    const prevCid = prev ? CID.parse(prev) : undefined;
    if (action === "delete") {
      writes.push({ action: WriteOpAction.Delete, collection: op.collection as never, rkey: op.rkey });
      eventOps.push({ action: "delete", path, cid: null, prev: prevCid });
      results.push({ action: "delete", uri });
    } else {
      const rec = op.record!;
      writes.push({
        action: action === "create" ? WriteOpAction.Create : WriteOpAction.Update,
        collection: op.collection as never,
        rkey: op.rkey,
        record: rec.ipld as never,
      });
      eventOps.push({ action, path, cid: rec.cid, prev: prevCid });
      // the reference PDS answers validate:false without a status (spec 10 §7); the index keeps the stored one
      results.push({ action, uri, cid: rec.cid.toString(), validationStatus: opts.validate === false ? undefined : rec.validationStatus });
    }
    applied.push({ ...op, action });
  }
  if (writes.length === 0) return { commit: null, results };
  for (const op of applied) if (op.blobRefs?.length) await assertBlobRefsInTx(tx, did, op.blobRefs);

  // Tree cache (tree-cache.ts): taken out for the whole transaction, put back only after COMMIT. If this
  // write fails anywhere below, the entry is simply gone and the next write reloads from the database.
  const cached = ctx.trees.take(did, root.cid.toString());
  // the cached tree's nodes lazy-load through its storage: point it at this transaction's connection
  cached?.storage.bind(tx.raw);
  const tree = cached ?? (await loadCachedTree(tx, did, root));
  const treeWrites: TreeWrite[] = applied.map((op) => {
    const key = `${op.collection}/${op.rkey}`;
    return op.action === "delete"
      ? { action: "delete", key }
      : { action: op.action as "create" | "update", key, cid: op.record!.cid, bytes: op.record!.bytes };
  });
  const prevData = (await tree.data.getPointer()) as unknown as CID;
  const commit = await formatCommit(did, { cid: root.cid as CID, rev: root.rev, data: tree.data }, treeWrites, keypair, opts.rev);
  const commitCid = commit.cid;

  const car = blocksToCar(commitCid, commit.eventBlocks);
  if (car.byteLength > MAX_COMMIT_CAR_BYTES) throw invalidRequest("Commit too large: split the writes into smaller batches");

  const now = new Date().toISOString();
  for (const op of applied) {
    if (op.action === "delete") await tx.raw.run("DELETE FROM records WHERE did = ? AND collection = ? AND rkey = ?", [did, op.collection, op.rkey]);
    else await indexPutInTx(tx, did, op.collection, op.rkey, op.record!, now);
    // blob references follow the records index; unreferenced blobs are left to the blob GC job
    const uri = `at://${did}/${op.collection}/${op.rkey}`;
    if (op.action === "delete") await dropRecordBlobsInTx(tx, did, uri);
    else await setRecordBlobsInTx(tx, did, uri, (op.blobRefs ?? []).map((r) => r.cid), commit.rev);
  }
  await storage.putMany(commit.newBlocks, commit.rev);
  await storage.deleteUnreachable(commit.removedCids);
  await storage.setRoot(commitCid, commit.rev, commit.dataCid);
  await ctx.deps.sequencer.commitInTx(tx, {
    repo: did,
    commit: commitCid,
    rev: commit.rev,
    since: root.rev,
    blocks: car,
    ops: eventOps,
    prevData,
  });
  const next: CachedTree = {
    commitCid: commitCid.toString(),
    rev: commit.rev,
    data: commit.data,
    storage: tree.storage,
    created: tree.created + commit.newNodeCount,
    nodes: 0,
  };
  tx.afterCommit(() => {
    next.nodes = next.storage.reads + next.created;
    ctx.trees.put(did, next);
  });
  return { commit: { cid: commitCid.toString(), rev: commit.rev }, results };
}

/** A prepared op as the write guard sees ops (the JSON record value, the resolved rkey). */
function guardOp(op: PreparedOp): WriteOp {
  if (op.action === "delete") return { action: "delete", collection: op.collection, rkey: op.rkey };
  return { action: op.action, collection: op.collection, rkey: op.rkey, record: op.record ? recordToJson(op.record.value) : undefined };
}

/**
 * A lazily loaded tree for the head read in this transaction. Its storage reads through the transaction's
 * connection (rebound by every later write that takes the tree from the cache), and its nodes only ever load
 * inside write transactions of this repo (per-DID lock + write lock), always by CID: content addressing makes
 * what they read independent of timing.
 */
async function loadCachedTree(tx: Tx, did: string, root: { cid: Cid; rev: string; dataCid: string | null }): Promise<CachedTree> {
  const storage = new SqlRepoStorage(tx.raw, did, false);
  let dataCid: CID;
  if (root.dataCid) dataCid = CID.parse(root.dataCid);
  else {
    const bytes = await storage.getBytes(root.cid);
    if (!bytes) throw new Error(`commit block missing for ${did}`);
    dataCid = (dagCbor.decode(bytes) as { data: CID }).data;
  }
  return { commitCid: root.cid.toString(), rev: root.rev, data: MST.load(storage, dataCid as never), storage, created: 0, nodes: 0 };
}

export async function indexPutInTx(tx: Tx, did: string, collection: string, rkey: string, rec: PreparedRecord, now: string): Promise<void> {
  await tx.raw.run(
    `INSERT INTO records (did, collection, rkey, cid, value, validation_status, indexed_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (did, collection, rkey) DO UPDATE SET cid = excluded.cid, value = excluded.value,
       validation_status = excluded.validation_status, indexed_at = excluded.indexed_at`,
    [did, collection, rkey, rec.cid.toString(), JSON.stringify(recordJson(rec)), rec.validationStatus, now],
  );
}

function recordJson(rec: PreparedRecord): unknown {
  return recordToJson(rec.value);
}
