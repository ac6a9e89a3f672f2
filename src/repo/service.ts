// RepoService: the commit pipeline (genesis, writes, deletion) and the committed-state reads of every hosted repo.
import * as dagCbor from "@ipld/dag-cbor";
import type { Keypair } from "@atproto/crypto";
import { BlockMap, MST, Repo, WriteOpAction, getRecords, type RecordWriteOp } from "@atproto/repo";
import { CID } from "multiformats/cid";
import type { Config } from "../config/types.ts";
import type { Database, Tx } from "../db/database.ts";
import { openSqlite } from "../db/sqlite.ts";
import type { Sequencer } from "../sequencer/sequencer.ts";
import type { RepoOp } from "../sequencer/events.ts";
import type { Logger } from "../util/logger.ts";
import { KeyedMutex } from "../util/mutex.ts";
import { XrpcError, invalidRequest } from "../xrpc/errors.ts";
import { createLexiconRegistry, type LexiconRegistry } from "../xrpc/lexicon/registry.ts";
import { CarWriter, blocksToCar } from "./car.ts";
import {
  assertCollection,
  assertNotManaged,
  assertRkey,
  defaultRkey,
  prepareRecord,
  recordToJson,
  type PreparedRecord,
  type ValidationStatus,
} from "./records.ts";
import { sqliteOf } from "./sql.ts";
import { assertBlobRefsInTx, dropRecordBlobsInTx, dropRepoBlobRefsInTx, findBlobRefs, setRecordBlobsInTx, type FoundBlobRef } from "../blob/refs.ts";
import { SqlRepoStorage } from "./storage.ts";
import { formatCommit, type TreeWrite } from "./commit.ts";
import { TreeCache, type CachedTree } from "./tree-cache.ts";
import type { Cid } from "@atproto/lex-data";

/** Max ops per commit (applyWrites) and max `#commit` blocks CAR (spec 03 §7). */
export const MAX_WRITES = 200;
export const MAX_COMMIT_CAR_BYTES = 2_000_000;

export interface RepoServiceDeps {
  config: Config;
  db: Database;
  signingKeypair: (did: string) => Promise<Keypair>;
  sequencer: Sequencer;
  logger: Logger;
  /** defaults to the server's registry (AT Protocol + net.openfederation.* lexicons) */
  lexicons?: LexiconRegistry;
}

interface OpBase {
  collection: string;
  /** undefined: no check; null: the record must not exist; a CID: the current record must have it */
  swapRecord?: string | null;
}
export type WriteOp =
  | (OpBase & { action: "create"; rkey?: string; record: unknown })
  | (OpBase & { action: "update"; rkey: string; record: unknown })
  /** create or replace (putRecord) */
  | (OpBase & { action: "put"; rkey: string; record: unknown })
  /** `ifExists`: a missing record is skipped instead of an error (deleteRecord) */
  | (OpBase & { action: "delete"; rkey: string; ifExists?: boolean });

export interface WriteOptions {
  /** CID of the commit the caller expects to be current */
  swapCommit?: string;
  validate?: boolean;
  /** set by dedicated net.openfederation.* methods: allows managed collections */
  managed?: boolean;
  /** runs in the commit transaction after the commit (projections, conditional checks); throwing rolls back */
  inTx?: (tx: Tx, result: WriteResult) => void | Promise<void>;
}

export type WriteResultItem =
  | { action: "create" | "update"; uri: string; cid: string; validationStatus: ValidationStatus }
  | { action: "delete"; uri: string };

export interface WriteResult {
  /** null when nothing changed (deleting a missing record) */
  commit: { cid: string; rev: string } | null;
  results: WriteResultItem[];
}

export interface GenesisInput {
  did: string;
  signingKey: Keypair;
  records?: Array<{ collection: string; rkey: string; record: unknown }>;
  /** emit #identity, #account{active:true}, #commit, #sync; omitted for pending accounts (no events) */
  announce?: { handle: string };
}

export interface RecordView {
  uri: string;
  cid: string;
  value: unknown;
}

export const invalidSwap = (message: string) => new XrpcError(400, "InvalidSwap", message);

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

export class RepoService {
  private readonly lexicons: LexiconRegistry;
  private readonly locks = new KeyedMutex();
  /** loaded data trees of recently written repos (tree-cache.ts); only ever updated after a commit */
  readonly trees = new TreeCache();

  constructor(private readonly deps: RepoServiceDeps) {
    this.lexicons = deps.lexicons ?? createLexiconRegistry();
  }

  // ---------------------------------------------------------------- lifecycle (in the caller's transaction)

  /** Genesis commit inside the caller's transaction (account/community creation's finalize step). */
  async createInTx(tx: Tx, input: GenesisInput): Promise<{ cid: string; rev: string }> {
    const { did, signingKey } = input;
    const storage = new SqlRepoStorage(sqliteOf(tx.orm), did);
    if (storage.root()) throw new Error(`repo already exists for ${did}`);
    const writes: RecordWriteOp[] = [];
    const indexed: Array<{ collection: string; rkey: string; rec: PreparedRecord }> = [];
    for (const r of input.records ?? []) {
      assertCollection(r.collection);
      assertRkey(this.lexicons, r.collection, r.rkey);
      const rec = await prepareRecord(this.lexicons, r.collection, r.record, undefined);
      writes.push({ action: WriteOpAction.Create, collection: r.collection as never, rkey: r.rkey, record: rec.ipld as never });
      indexed.push({ collection: r.collection, rkey: r.rkey, rec });
    }
    const commit = await Repo.formatInitCommit(storage, did, signingKey, writes as never);
    const now = new Date().toISOString();
    for (const { collection, rkey, rec } of indexed) this.indexPut(tx, did, collection, rkey, rec, now);
    storage.putManySync(commit.newBlocks, commit.rev);
    const commitBytes = commit.newBlocks.get(commit.cid)!;
    const dataCid = (dagCbor.decode(commitBytes) as { data: CID }).data;
    storage.setRoot(commit.cid as CID, commit.rev, dataCid);
    if (input.announce) {
      const seq = this.deps.sequencer;
      seq.identityInTx(tx, did, input.announce.handle);
      seq.accountInTx(tx, did, true);
      seq.commitInTx(tx, {
        repo: did,
        commit: commit.cid as CID,
        rev: commit.rev,
        since: null,
        blocks: commitCar(commit.cid as CID, commit.newBlocks),
        ops: indexed.map(({ collection, rkey, rec }) => ({ action: "create", path: `${collection}/${rkey}`, cid: rec.cid })),
      });
      seq.syncInTx(tx, did, { cid: commit.cid as CID, bytes: commitBytes, rev: commit.rev });
    }
    return { cid: commit.cid.toString(), rev: commit.rev };
  }

  /** A pending account was approved: #identity, #account{active:true}, #sync of the current head. */
  announceInTx(tx: Tx, did: string, handle: string): void {
    const storage = new SqlRepoStorage(sqliteOf(tx.orm), did);
    const root = storage.root();
    if (!root) throw new Error(`no repo for ${did}`);
    const bytes = storage.getBytesSync(root.cid);
    if (!bytes) throw new Error(`commit block missing for ${did}`);
    const seq = this.deps.sequencer;
    seq.identityInTx(tx, did, handle);
    seq.accountInTx(tx, did, true);
    seq.syncInTx(tx, did, { cid: root.cid as CID, bytes, rev: root.rev });
  }

  /** Drop the repo's blocks, root and records index (rejection, deletion). Emits nothing. */
  deleteInTx(tx: Tx, did: string): void {
    // the head check would ignore the entry anyway; dropping it frees the memory (and only after COMMIT)
    tx.afterCommit(() => this.trees.drop(did));
    sqliteOf(tx.orm).query("DELETE FROM records WHERE did = ?").run(did);
    dropRepoBlobRefsInTx(tx, did);
    new SqlRepoStorage(sqliteOf(tx.orm), did).destroy();
  }

  // ---------------------------------------------------------------- the write path (spec 03 §3)

  async write(did: string, ops: WriteOp[], opts: WriteOptions = {}): Promise<WriteResult> {
    if (ops.length === 0 || ops.length > MAX_WRITES) throw invalidRequest(`A commit holds 1–${MAX_WRITES} writes`);
    const prepared = await this.prepareOps(ops, opts);
    if (!this.head(did)) throw invalidRequest(`Repo not hosted here: ${did}`);
    const keypair = await this.deps.signingKeypair(did);
    return this.locks.run(did, () =>
      this.deps.db.transaction(async (tx) => {
        const result = await this.commitInTx(tx, did, prepared, keypair, opts);
        await opts.inTx?.(tx, result);
        return result;
      }),
    );
  }

  private async prepareOps(ops: WriteOp[], opts: WriteOptions): Promise<PreparedOp[]> {
    const seen = new Set<string>();
    const out: PreparedOp[] = [];
    for (const op of ops) {
      assertCollection(op.collection);
      if (!opts.managed) assertNotManaged(op.collection);
      const rkey = op.rkey ?? defaultRkey(this.lexicons, op.collection);
      assertRkey(this.lexicons, op.collection, rkey);
      const path = `${op.collection}/${rkey}`;
      if (seen.has(path)) throw invalidRequest(`Repeated write to ${path}`);
      seen.add(path);
      const p: PreparedOp = { action: op.action, collection: op.collection, rkey, swapRecord: op.swapRecord };
      if (op.action === "delete") p.ifExists = op.ifExists;
      else {
        p.record = await prepareRecord(this.lexicons, op.collection, op.record, opts.validate);
        p.blobRefs = findBlobRefs(p.record.value);
      }
      out.push(p);
    }
    return out;
  }

  private async commitInTx(tx: Tx, did: string, ops: PreparedOp[], keypair: Keypair, opts: WriteOptions): Promise<WriteResult> {
    const client = sqliteOf(tx.orm);
    const storage = new SqlRepoStorage(client, did);
    const root = storage.root();
    if (!root) throw invalidRequest(`Repo not hosted here: ${did}`);
    if (opts.swapCommit !== undefined && opts.swapCommit !== root.cid.toString()) {
      throw invalidSwap(`Commit was at ${root.cid.toString()}`);
    }
    const current = client.query<{ cid: string }, [string, string, string]>(
      "SELECT cid FROM records WHERE did = ? AND collection = ? AND rkey = ?",
    );
    const writes: RecordWriteOp[] = [];
    const eventOps: RepoOp[] = [];
    const results: WriteResultItem[] = [];
    const applied: PreparedOp[] = [];
    for (const op of ops) {
      const path = `${op.collection}/${op.rkey}`;
      const uri = `at://${did}/${path}`;
      const prev = current.get(did, op.collection, op.rkey)?.cid;
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
        results.push({ action, uri, cid: rec.cid.toString(), validationStatus: rec.validationStatus });
      }
      applied.push({ ...op, action });
    }
    if (writes.length === 0) return { commit: null, results };
    for (const op of applied) if (op.blobRefs?.length) assertBlobRefsInTx(tx, did, op.blobRefs);

    // Tree cache (tree-cache.ts): taken out for the whole transaction, put back only after COMMIT. If this
    // write fails anywhere below, the entry is simply gone and the next write reloads from the database.
    const cached = this.trees.take(did, root.cid.toString());
    const tree = cached ?? this.loadCachedTree(client, did, root);
    const treeWrites: TreeWrite[] = applied.map((op) => {
      const key = `${op.collection}/${op.rkey}`;
      return op.action === "delete"
        ? { action: "delete", key }
        : { action: op.action as "create" | "update", key, cid: op.record!.cid, bytes: op.record!.bytes };
    });
    const prevData = (await tree.data.getPointer()) as unknown as CID;
    const commit = await formatCommit(did, { cid: root.cid as CID, rev: root.rev, data: tree.data }, treeWrites, keypair);
    const commitCid = commit.cid;

    const car = blocksToCar(commitCid, commit.eventBlocks);
    if (car.byteLength > MAX_COMMIT_CAR_BYTES) throw invalidRequest("Commit too large: split the writes into smaller batches");

    const now = new Date().toISOString();
    for (const op of applied) {
      if (op.action === "delete") client.query("DELETE FROM records WHERE did = ? AND collection = ? AND rkey = ?").run(did, op.collection, op.rkey);
      else this.indexPut(tx, did, op.collection, op.rkey, op.record!, now);
      // blob references follow the records index; unreferenced blobs are left to the blob GC job
      const uri = `at://${did}/${op.collection}/${op.rkey}`;
      if (op.action === "delete") dropRecordBlobsInTx(tx, did, uri);
      else setRecordBlobsInTx(tx, did, uri, (op.blobRefs ?? []).map((r) => r.cid), commit.rev);
    }
    storage.putManySync(commit.newBlocks, commit.rev);
    storage.deleteUnreachable(commit.removedCids);
    storage.setRoot(commitCid, commit.rev, commit.dataCid);
    this.deps.sequencer.commitInTx(tx, {
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
      this.trees.put(did, next);
    });
    return { commit: { cid: commitCid.toString(), rev: commit.rev }, results };
  }

  /**
   * A lazily loaded tree for the head read in this transaction. Its storage reads through the writer
   * connection, and its nodes only ever load inside later write transactions of this repo (per-DID lock
   * + global write lock), always by CID: content addressing makes what they read independent of timing.
   */
  private loadCachedTree(client: ReturnType<typeof sqliteOf>, did: string, root: { cid: Cid; rev: string; dataCid: string | null }): CachedTree {
    const storage = new SqlRepoStorage(client, did, false);
    let dataCid: CID;
    if (root.dataCid) dataCid = CID.parse(root.dataCid);
    else {
      const bytes = storage.getBytesSync(root.cid);
      if (!bytes) throw new Error(`commit block missing for ${did}`);
      dataCid = (dagCbor.decode(bytes) as { data: CID }).data;
    }
    return { commitCid: root.cid.toString(), rev: root.rev, data: MST.load(storage, dataCid as never), storage, created: 0, nodes: 0 };
  }

  private indexPut(tx: Tx, did: string, collection: string, rkey: string, rec: PreparedRecord, now: string) {
    sqliteOf(tx.orm)
      .query(
        `INSERT INTO records (did, collection, rkey, cid, value, validation_status, indexed_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (did, collection, rkey) DO UPDATE SET cid = excluded.cid, value = excluded.value,
           validation_status = excluded.validation_status, indexed_at = excluded.indexed_at`,
      )
      .run(did, collection, rkey, rec.cid.toString(), JSON.stringify(recordJson(rec)), rec.validationStatus, now);
  }

  // ---------------------------------------------------------------- committed reads

  private get reader() {
    return sqliteOf(this.deps.db.orm);
  }

  /** The current head, or null when no repo is hosted for the DID. */
  head(did: string): { cid: string; rev: string } | null {
    const row = this.reader
      .query<{ commit_cid: string; rev: string }, [string]>("SELECT commit_cid, rev FROM repo_roots WHERE did = ?")
      .get(did);
    return row ? { cid: row.commit_cid, rev: row.rev } : null;
  }

  getRecord(did: string, collection: string, rkey: string): (RecordView & { validationStatus: ValidationStatus }) | null {
    const row = this.reader
      .query<{ cid: string; value: string; validation_status: ValidationStatus }, [string, string, string]>(
        "SELECT cid, value, validation_status FROM records WHERE did = ? AND collection = ? AND rkey = ?",
      )
      .get(did, collection, rkey);
    if (!row) return null;
    return { uri: `at://${did}/${collection}/${rkey}`, cid: row.cid, value: JSON.parse(row.value), validationStatus: row.validation_status };
  }

  /** rkey descending (ascending with `reverse`); the cursor is the last rkey returned, present only when more exist. */
  listRecords(
    did: string,
    collection: string,
    opts: { limit?: number; cursor?: string; reverse?: boolean } = {},
  ): { records: RecordView[]; cursor?: string } {
    const limit = opts.limit ?? 50;
    const cmp = opts.reverse ? ">" : "<";
    const order = opts.reverse ? "ASC" : "DESC";
    const cursorSql = opts.cursor !== undefined ? `AND rkey ${cmp} ?` : "";
    const args: (string | number)[] = [did, collection];
    if (opts.cursor !== undefined) args.push(opts.cursor);
    args.push(limit + 1);
    const rows = this.reader
      .query<{ rkey: string; cid: string; value: string }, (string | number)[]>(
        `SELECT rkey, cid, value FROM records WHERE did = ? AND collection = ? ${cursorSql} ORDER BY rkey ${order} LIMIT ?`,
      )
      .all(...args);
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    return {
      records: page.map((r) => ({ uri: `at://${did}/${collection}/${r.rkey}`, cid: r.cid, value: JSON.parse(r.value) })),
      ...(more ? { cursor: page[page.length - 1]!.rkey } : {}),
    };
  }

  /** Distinct collections of the repo, sorted. */
  collections(did: string): string[] {
    // Skip-scan over the (did, collection, rkey) primary key: one seek per collection, not one row per record.
    return this.reader
      .query<{ collection: string }, [string]>(
        `WITH RECURSIVE c(name) AS (
           SELECT MIN(collection) FROM records WHERE did = ?1
           UNION ALL
           SELECT (SELECT MIN(collection) FROM records WHERE did = ?1 AND collection > c.name) FROM c WHERE c.name IS NOT NULL
         ) SELECT name AS collection FROM c WHERE name IS NOT NULL`,
      )
      .all(did)
      .map((r) => r.collection);
  }

  /** Number of indexed records (checkAccountStatus). */
  recordCount(did: string): number {
    return this.reader.query<{ n: number }, [string]>("SELECT COUNT(*) AS n FROM records WHERE did = ?").get(did)?.n ?? 0;
  }

  /** Number of stored blocks (checkAccountStatus). */
  blockCount(did: string): number {
    return this.reader.query<{ n: number }, [string]>("SELECT COUNT(*) AS n FROM repo_blocks WHERE did = ?").get(did)?.n ?? 0;
  }

  /**
   * The repo as a CAR stream: the signed commit (first root, first block) then every block, or only the
   * blocks written after `since`. Reads run in one snapshot on a private read-only connection, so a commit
   * landing mid-stream can neither tear the CAR nor delay the writer. Null when the DID has no repo.
   */
  getRepoCar(did: string, since?: string): ReadableStream<Uint8Array> | null {
    const conn = openSqlite(this.deps.db.path, { readonly: true });
    let open = true;
    const close = () => {
      if (!open) return;
      open = false;
      try {
        conn.exec("COMMIT");
      } catch {
        // nothing to end
      }
      conn.close();
    };
    conn.exec("BEGIN");
    const root = conn
      .query<{ commit_cid: string; rev: string }, [string]>("SELECT commit_cid, rev FROM repo_roots WHERE did = ?")
      .get(did);
    if (!root) {
      close();
      return null;
    }
    const commitCid = CID.parse(root.commit_cid);
    const commitKey = Buffer.from(commitCid.bytes);
    const writer = new CarWriter(commitCid);
    if (since === undefined || root.rev > since) {
      const commit = conn
        .query<{ bytes: Uint8Array }, [string, Uint8Array]>("SELECT bytes FROM repo_blocks WHERE did = ? AND cid = ?")
        .get(did, commitCid.bytes);
      if (commit) writer.add(commitCid.bytes, commit.bytes);
    }
    const rows = (
      since === undefined
        ? conn.query<{ cid: Uint8Array; bytes: Uint8Array }, [string]>("SELECT cid, bytes FROM repo_blocks WHERE did = ?").iterate(did)
        : conn
            .query<{ cid: Uint8Array; bytes: Uint8Array }, [string, string]>("SELECT cid, bytes FROM repo_blocks WHERE did = ? AND rev > ?")
            .iterate(did, since)
    )[Symbol.iterator]();
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        for (;;) {
          const next = rows.next();
          if (next.done) {
            const last = writer.take(true);
            if (last) controller.enqueue(last);
            close();
            controller.close();
            return;
          }
          const { cid, bytes } = next.value;
          if (commitKey.equals(cid)) continue;
          writer.add(cid, bytes);
          const chunk = writer.take();
          if (chunk) {
            controller.enqueue(chunk);
            return;
          }
        }
      },
      cancel() {
        rows.return?.();
        close();
      },
    });
  }

  /** The signed commit, the MST nodes on the record's path and the record block; null when the repo or record is missing. */
  async getRecordProofCar(did: string, collection: string, rkey: string): Promise<Uint8Array<ArrayBuffer> | null> {
    // The MST walk awaits between reads, so a commit may land mid-walk: retry until the head is stable.
    for (let attempt = 0; attempt < 5; attempt++) {
      const head = this.head(did);
      if (!head || !this.getRecord(did, collection, rkey)) return null;
      const storage = new SqlRepoStorage(this.reader, did);
      try {
        const chunks: Uint8Array[] = [];
        for await (const c of getRecords(storage, CID.parse(head.cid), [{ collection, rkey }])) chunks.push(c);
        if (this.head(did)?.cid === head.cid) return new Uint8Array(Buffer.concat(chunks));
      } catch (err) {
        if (this.head(did)?.cid === head.cid) throw err;
      }
    }
    throw new Error(`repo ${did} changed during proof construction`);
  }

  /** The data MST of the current head (tests, repair). */
  async loadTree(did: string): Promise<MST | null> {
    const head = this.head(did);
    if (!head) return null;
    const repo = await Repo.load(new SqlRepoStorage(this.reader, did), CID.parse(head.cid));
    return repo.data;
  }
}

function recordJson(rec: PreparedRecord): unknown {
  return recordToJson(rec.value);
}

/** The `#commit` CAR: the commit block first (and the only root), then the other blocks. */
function commitCar(commitCid: CID, blocks: BlockMap): Uint8Array {
  const commitBytes = blocks.get(commitCid as never)!;
  const rest: Array<{ cid: CID; bytes: Uint8Array }> = [];
  for (const b of blocks.entries()) if (!b.cid.equals(commitCid as never)) rest.push({ cid: b.cid as CID, bytes: b.bytes });
  return blocksToCar(commitCid, [{ cid: commitCid, bytes: commitBytes }, ...rest]);
}
