// RepoService: the commit pipeline (genesis, writes, deletion) and the committed-state reads of every hosted repo.
// A thin façade over ./lifecycle.ts (createInTx, announceInTx, deleteInTx), ./write.ts (the write path) and
// ./read.ts (committed reads, CAR export, proofs).
import type { Keypair } from "@atproto/crypto";
import type { MST } from "@atproto/repo";
import type { Config } from "../config/types.ts";
import type { Database, Tx } from "../db/database.ts";
import type { Sequencer } from "../sequencer/sequencer.ts";
import type { Logger } from "../util/logger.ts";
import { KeyedMutex } from "../util/mutex.ts";
import { createLexiconRegistry, type LexiconRegistry } from "../lexicon/registry.ts";
import type { ValidationStatus } from "./records.ts";
import { TreeCache } from "./tree-cache.ts";
import { announceInTx, createInTx, deleteInTx } from "./lifecycle.ts";
import { write, writeInTx } from "./write.ts";
import type { RepoWriteGuard } from "./write-guard.ts";
import * as read from "./read.ts";

export { MAX_WRITES, MAX_COMMIT_CAR_BYTES, invalidSwap } from "./write.ts";

export interface RepoServiceDeps {
  config: Config;
  db: Database;
  signingKeypair: (did: string) => Promise<Keypair>;
  sequencer: Sequencer;
  logger: Logger;
  /** defaults to the server's registry (AT Protocol + net.openfederation.* lexicons) */
  lexicons?: LexiconRegistry;
  /** rules above the repo layer checked before every commit (community governance, ./write-guard.ts) */
  writeGuard?: RepoWriteGuard;
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
  /**
   * the new commit's rev, chosen by the caller (with `swapCommit`, so it is known to follow the head's rev): lets a
   * record in the commit name the commit's own rev (an approved proposal's `appliedRev`, 05 §5). Must sort after
   * the head's rev, else InvalidSwap.
   */
  rev?: string;
  /** runs in the commit transaction after the commit (projections, conditional checks); throwing rolls back */
  inTx?: (tx: Tx, result: WriteResult) => void | Promise<void>;
}

export type WriteResultItem =
  | { action: "create" | "update"; uri: string; cid: string; validationStatus?: ValidationStatus }
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
  /** `validate` of the records (records.ts); importRepo passes false: a migrating repo's records are kept as written */
  validate?: boolean;
  /** importRepo: legacy `{cid, mimeType}` blob refs are accepted (data-model.ts) */
  legacyBlobs?: boolean;
  /** emit #identity, #account{active:true}, #commit, #sync; omitted for pending accounts (no events) */
  announce?: { handle: string };
}

export interface RecordView {
  uri: string;
  cid: string;
  value: unknown;
}

/** What lifecycle.ts, write.ts and read.ts get from the service. */
export interface RepoCtx {
  deps: RepoServiceDeps;
  lexicons: LexiconRegistry;
  /** the per-DID write lock */
  locks: KeyedMutex;
  trees: TreeCache;
}

export class RepoService {
  private readonly ctx: RepoCtx;
  /** loaded data trees of recently written repos (tree-cache.ts); only ever updated after a commit */
  readonly trees = new TreeCache();

  constructor(deps: RepoServiceDeps) {
    this.ctx = { deps, lexicons: deps.lexicons ?? createLexiconRegistry(), locks: new KeyedMutex(), trees: this.trees };
  }

  // ---------------------------------------------------------------- lifecycle (in the caller's transaction): lifecycle.ts

  /** Genesis commit inside the caller's transaction (account/community creation's finalize step). */
  createInTx(tx: Tx, input: GenesisInput): Promise<{ cid: string; rev: string }> {
    return createInTx(this.ctx, tx, input);
  }
  /** A repo goes public: #account{active:true}, #identity, #sync of the head; with genesisCommit #identity, #account, #commit, #sync. */
  announceInTx(tx: Tx, did: string, handle: string, opts?: { genesisCommit?: boolean }): Promise<void> {
    return announceInTx(this.ctx, tx, did, handle, opts);
  }
  /** Drop the repo's blocks, root and records index (rejection, deletion). Emits nothing. */
  deleteInTx(tx: Tx, did: string): Promise<void> {
    return deleteInTx(this.ctx, tx, did);
  }

  // ---------------------------------------------------------------- the write path (spec 03 §3): write.ts

  write(did: string, ops: WriteOp[], opts: WriteOptions = {}): Promise<WriteResult> {
    return write(this.ctx, did, ops, opts);
  }
  /** As write, in the caller's transaction (several repos in one transaction: account deletion); see write.ts. */
  writeInTx(tx: Tx, did: string, ops: WriteOp[], opts: WriteOptions = {}): Promise<WriteResult> {
    return writeInTx(this.ctx, tx, did, ops, opts);
  }

  // ---------------------------------------------------------------- committed reads: read.ts

  /** The current head, or null when no repo is hosted for the DID. */
  head(did: string): Promise<{ cid: string; rev: string } | null> {
    return read.readHead(this.ctx, did);
  }
  getRecord(did: string, collection: string, rkey: string): Promise<(RecordView & { validationStatus: ValidationStatus }) | null> {
    return read.getRecord(this.ctx, did, collection, rkey);
  }
  /** rkey descending (ascending with `reverse`); the cursor is the last rkey returned, present only when more exist. */
  listRecords(did: string, collection: string, opts: { limit?: number; cursor?: string; reverse?: boolean } = {}): Promise<{ records: RecordView[]; cursor?: string }> {
    return read.listRecords(this.ctx, did, collection, opts);
  }
  /** Distinct collections of the repo, sorted. */
  collections(did: string): Promise<string[]> {
    return read.collections(this.ctx, did);
  }
  /** Number of indexed records (checkAccountStatus). */
  recordCount(did: string): Promise<number> {
    return read.recordCount(this.ctx, did);
  }
  /** Number of stored blocks (checkAccountStatus). */
  blockCount(did: string): Promise<number> {
    return read.blockCount(this.ctx, did);
  }
  /** The repo as a CAR stream (one read snapshot; see read.ts), or only the blocks written after `since`. Null when the DID has no repo. */
  getRepoCar(did: string, since?: string): Promise<ReadableStream<Uint8Array> | null> {
    return read.getRepoCar(this.ctx, did, since);
  }
  /** The signed commit, the MST nodes on the record's path and the record block; null when the repo or record is missing. */
  getRecordProofCar(did: string, collection: string, rkey: string): Promise<Uint8Array<ArrayBuffer> | null> {
    return read.getRecordProofCar(this.ctx, did, collection, rkey);
  }
  /** The data MST of the current head (tests, repair). */
  loadTree(did: string): Promise<MST | null> {
    return read.loadTree(this.ctx, did);
  }
}
