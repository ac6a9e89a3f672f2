// BlobService: uploads (stream → temp file → place), permanent-blob reads, listings, and the GC job (spec 03 §5).
import type { Config } from "../config/types.ts";
import type { Database, Tx } from "../db/database.ts";
import type { Job } from "../jobs/scheduler.ts";
import type { Logger } from "../util/logger.ts";
import { DomainError, invalidRequest, rateLimitExceeded } from "../errors.ts";
import { MemoryRateLimitStore, type RateLimitStore } from "../ratelimit/store.ts";
import { resolveMime, usableMime } from "./mime.ts";
import { recordDeclaredMime } from "./refs.ts";
import { BlobFiles, BlobTooLargeError } from "./store.ts";

/** Uploads per account per day (06 §11). */
export const UPLOADS_PER_DAY = 1000;
const DAY_MS = 86_400_000;
/** Rows handled per GC transaction, so one run never holds the write lock for long. */
const GC_BATCH = 500;

export const blobTooLarge = (maxBytes: number) => new DomainError("tooLarge", "BlobTooLarge", `Blob exceeds ${maxBytes} bytes`);
export const blobNotFound = (message = "Blob not found") => new DomainError("invalid", "BlobNotFound", message);

/** The `blob` object of uploadBlob's output and of record refs. */
export interface BlobView {
  $type: "blob";
  ref: { $link: string };
  mimeType: string;
  size: number;
}

export interface BlobServiceDeps {
  config: Config;
  db: Database;
  logger: Logger;
  /** the daily upload quota's counters (shared by every process in cluster mode); in memory by default */
  quota?: RateLimitStore;
}

export class BlobService {
  readonly files: BlobFiles;
  private readonly quota: RateLimitStore;

  constructor(private readonly deps: BlobServiceDeps) {
    this.quota = deps.quota ?? new MemoryRateLimitStore();
    this.files = new BlobFiles(deps.config.blobDir);
  }

  private get reader() {
    return this.deps.db.raw;
  }

  /** Counts one upload against the account's daily budget → 429 RateLimitExceeded past it. */
  async consumeUploadQuota(did: string, now = Date.now()): Promise<void> {
    if (!this.deps.config.rateLimits.enabled) return;
    const { count, resetAt } = await this.quota.hit(`upload:${did}`, DAY_MS, now);
    if (count > UPLOADS_PER_DAY) throw rateLimitExceeded(Math.max(1, Math.ceil((resetAt - now) / 1000)));
  }

  /**
   * Streams `body` to disk, hashing as it goes, and records the blob for `did`: temporary, or permanent at
   * once when a record already expects it (importRepo). Identical bytes uploaded again return the stored blob.
   */
  async upload(did: string, body: ReadableStream<Uint8Array> | null, declaredMime: string | undefined): Promise<BlobView> {
    const max = this.deps.config.blobMaxBytes;
    let temp;
    try {
      temp = await this.files.writeTemp(body, max);
    } catch (err) {
      if (err instanceof BlobTooLargeError) throw blobTooLarge(max);
      throw err;
    }
    if (temp.size === 0) {
      this.files.discard(temp.path);
      throw invalidRequest("Request body is empty: a blob needs at least one byte");
    }
    const cid = temp.cid.toString();
    const resolved = resolveMime(temp.head, declaredMime);
    try {
      // Why in the write transaction: GC deletes rows and files in one too, so an upload of bytes GC is
      // removing at this moment either lands after it (new row, new file) or before it (row kept).
      const stored = await this.deps.db.transaction(async (tx) => {
        const db = tx.raw;
        const existing = await db.get<{ mime: string; size: number }>("SELECT mime, size FROM blobs WHERE did = ? AND cid = ?", [did, cid]);
        if (existing) {
          // A re-upload restarts a temporary blob's TTL.
          await db.run("UPDATE blobs SET created_at = ? WHERE did = ? AND cid = ? AND status = 'temporary'", [new Date().toISOString(), did, cid]);
          if (!this.files.exists(did, cid)) this.files.commit(temp, did);
          else this.files.discard(temp.path);
          return existing;
        }
        const expected = (await db.get("SELECT 1 AS one FROM record_blobs WHERE did = ? AND cid = ? LIMIT 1", [did, cid])) !== undefined;
        // Bytes no magic number identifies, uploaded without a usable type (goat sends every blob as `*/*`) for a
        // blob an imported record references: the record's mimeType, so later writes of that record still match.
        const mime = expected && resolved === "application/octet-stream" ? usableMime(await recordDeclaredMime(db, did, cid)) ?? resolved : resolved;
        this.files.commit(temp, did);
        await db.run("INSERT INTO blobs (did, cid, mime, size, status, created_at) VALUES (?, ?, ?, ?, ?, ?)", [
          did, cid, mime, temp.size, expected ? "permanent" : "temporary", new Date().toISOString(),
        ]);
        return { mime, size: temp.size };
      }, { lockKey: did });
      return { $type: "blob", ref: { $link: cid }, mimeType: stored.mime, size: stored.size };
    } finally {
      this.files.discard(temp.path);
    }
  }

  /** A permanent blob of the repo (getBlob), or null: absent, temporary, or its file is missing. */
  async getPermanent(did: string, cid: string): Promise<{ mime: string; size: number; path: string } | null> {
    const row = await this.reader.get<{ mime: string; size: number }>("SELECT mime, size FROM blobs WHERE did = ? AND cid = ? AND status = 'permanent'", [did, cid]);
    if (!row || !this.files.exists(did, cid)) return null;
    return { ...row, path: this.files.path(did, cid) };
  }

  /** Permanent blobs of the repo by CID; with `since`, only those referenced by records written after that rev. */
  async listBlobs(did: string, opts: { since?: string; limit: number; cursor?: string }): Promise<{ cids: string[]; cursor?: string }> {
    const args: (string | number)[] = [did];
    let sql: string;
    if (opts.since !== undefined) {
      sql = `SELECT DISTINCT rb.cid FROM record_blobs rb JOIN blobs b ON b.did = rb.did AND b.cid = rb.cid AND b.status = 'permanent'
             WHERE rb.did = ? AND rb.rev > ?`;
      args.push(opts.since);
      if (opts.cursor !== undefined) (sql += " AND rb.cid > ?"), args.push(opts.cursor);
      sql += " ORDER BY rb.cid LIMIT ?";
    } else {
      sql = "SELECT cid FROM blobs WHERE did = ? AND status = 'permanent'";
      if (opts.cursor !== undefined) (sql += " AND cid > ?"), args.push(opts.cursor);
      sql += " ORDER BY cid LIMIT ?";
    }
    args.push(opts.limit + 1);
    const rows = await this.reader.all<{ cid: string }>(sql, args);
    const page = rows.slice(0, opts.limit).map((r) => r.cid);
    return { cids: page, ...(rows.length > opts.limit ? { cursor: page[page.length - 1]! } : {}) };
  }

  /** Blobs records reference but that were never uploaded (after importRepo), by CID. */
  async listMissing(did: string, opts: { limit: number; cursor?: string }): Promise<{ blobs: Array<{ cid: string; recordUri: string }>; cursor?: string }> {
    const args: (string | number)[] = [did];
    let sql = `SELECT rb.cid AS cid, MIN(rb.record_uri) AS record_uri FROM record_blobs rb
               LEFT JOIN blobs b ON b.did = rb.did AND b.cid = rb.cid
               WHERE rb.did = ? AND b.cid IS NULL`;
    if (opts.cursor !== undefined) (sql += " AND rb.cid > ?"), args.push(opts.cursor);
    sql += " GROUP BY rb.cid ORDER BY rb.cid LIMIT ?";
    args.push(opts.limit + 1);
    const rows = await this.reader.all<{ cid: string; record_uri: string }>(sql, args);
    const page = rows.slice(0, opts.limit).map((r) => ({ cid: r.cid, recordUri: r.record_uri }));
    return { blobs: page, ...(rows.length > opts.limit ? { cursor: page[page.length - 1]!.cid } : {}) };
  }

  /**
   * Deletes permanent blobs no record references and temporary blobs older than BLOB_TEMP_TTL_HOURS (rows and
   * files), plus temp files abandoned by a crash. Idempotent; safe to run at any time.
   */
  async gc(now = Date.now()): Promise<{ unreferenced: number; expired: number }> {
    const cutoff = new Date(now - this.deps.config.blobTempTtlHours * 3_600_000).toISOString();
    let unreferenced = 0;
    let expired = 0;
    for (;;) {
      // Rows and files go in one transaction: an upload or a record write of the same blob waits for it.
      const n = await this.deps.db.transaction(async (tx) => {
        const dead = await tx.raw.all<{ did: string; cid: string; status: string }>(
          `SELECT did, cid, status FROM blobs b WHERE
             (status = 'permanent' AND NOT EXISTS (SELECT 1 FROM record_blobs rb WHERE rb.did = b.did AND rb.cid = b.cid))
             OR (status = 'temporary' AND created_at < ?)
           LIMIT ?`,
          [cutoff, GC_BATCH],
        );
        for (const b of dead) {
          await tx.raw.run("DELETE FROM blobs WHERE did = ? AND cid = ?", [b.did, b.cid]);
          this.files.remove(b.did, b.cid);
          if (b.status === "permanent") unreferenced++;
          else expired++;
        }
        return dead.length;
      });
      if (n < GC_BATCH) break;
    }
    this.files.sweepTemp(3_600_000, now);
    if (unreferenced + expired > 0) this.deps.logger.info("blob gc", { unreferenced, expired });
    return { unreferenced, expired };
  }

  /**
   * Account deletion (06 §1): every blob row of the repo goes in the caller's transaction; the files are removed
   * after COMMIT (a rollback leaves rows and files as they were). Returns how many blobs were dropped.
   */
  async deleteRepoBlobsInTx(tx: Tx, did: string): Promise<number> {
    const cids = (await tx.raw.all<{ cid: string }>("DELETE FROM blobs WHERE did = ? RETURNING cid", [did])).map((r) => r.cid);
    tx.afterCommit(() => {
      for (const cid of cids) this.files.remove(did, cid);
      this.files.removeRepoDir(did);
    });
    return cids.length;
  }

  /** The GC job (hourly by default; config BLOB_GC_INTERVAL_MS). */
  gcJob(intervalMs: number): Job {
    return { name: "blob-gc", intervalMs, run: async () => void (await this.gc()) };
  }
}
