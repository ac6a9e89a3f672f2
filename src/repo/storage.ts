// SqlRepoStorage: the @atproto/repo RepoStorage over raw SQL (`tx.raw` inside a write transaction, or `db.raw` for reads).
import { BlockMap, ReadableBlockstore, type CommitData, type RepoStorage } from "@atproto/repo";
import type { Cid } from "@atproto/lex-data";
import { CID } from "multiformats/cid";
import type { Raw } from "../db/database.ts";

// ON CONFLICT DO NOTHING: an identical block (same CID) already stored keeps its original rev.
const PUT_BLOCK = "INSERT INTO repo_blocks (did, cid, bytes, rev) VALUES (?, ?, ?, ?) ON CONFLICT (did, cid) DO NOTHING";
const DELETE_UNREACHABLE = `DELETE FROM repo_blocks WHERE did = ? AND cid = ?
  AND NOT EXISTS (SELECT 1 FROM records WHERE did = ? AND cid = ?)`;

/**
 * Reads and writes the blocks of ONE repo through the raw SQL handle it is given. Write-side instances must be
 * built from `tx.raw` inside `db.transaction`, so everything they write commits or rolls back with the rest of
 * the commit. Blocks read or written through an instance are memoised for its lifetime (one write).
 */
export class SqlRepoStorage extends ReadableBlockstore implements RepoStorage {
  private readonly cache = new BlockMap();
  /** blocks read from the database (the tree cache counts loaded MST nodes with it) */
  reads = 0;

  /**
   * `memo: false` for the storage behind a cached tree (tree-cache.ts): the loaded MST nodes already hold
   * what was read, and a long-lived instance must not accumulate every block it ever saw.
   */
  constructor(
    private raw: Raw,
    readonly did: string,
    private readonly memo = true,
  ) {
    super();
  }

  /**
   * Points a long-lived instance (a cached tree's) at the current transaction's handle: on PostgreSQL each
   * transaction has its own connection, and the previous one has been released.
   */
  bind(raw: Raw): void {
    this.raw = raw;
  }

  async getRoot(): Promise<Cid | null> {
    return (await this.root())?.cid ?? null;
  }

  /** The current head (read on this storage's handle: inside a transaction, the serialised state). */
  async root(): Promise<{ cid: Cid; rev: string; dataCid: string | null } | null> {
    const row = await this.raw.get<{ commit_cid: string; rev: string; data_cid: string | null }>(
      "SELECT commit_cid, rev, data_cid FROM repo_roots WHERE did = ?",
      [this.did],
    );
    return row ? { cid: CID.parse(row.commit_cid) as Cid, rev: row.rev, dataCid: row.data_cid } : null;
  }

  async getBytes(cid: Cid): Promise<Uint8Array | null> {
    const cached = this.cache.get(cid);
    if (cached) return cached;
    const row = await this.raw.get<{ bytes: Uint8Array }>("SELECT bytes FROM repo_blocks WHERE did = ? AND cid = ?", [this.did, cid.bytes]);
    if (!row) return null;
    this.reads++;
    const bytes = new Uint8Array(row.bytes);
    if (this.memo) this.cache.set(cid, bytes);
    return bytes;
  }

  async has(cid: Cid): Promise<boolean> {
    return (await this.getBytes(cid)) !== null;
  }

  async getBlocks(cids: Cid[]): Promise<{ blocks: BlockMap; missing: Cid[] }> {
    const blocks = new BlockMap();
    const missing: Cid[] = [];
    for (const cid of cids) {
      const bytes = await this.getBytes(cid);
      if (bytes) blocks.set(cid, bytes);
      else missing.push(cid);
    }
    return { blocks, missing };
  }

  async putBlock(cid: Cid, block: Uint8Array, rev: string): Promise<void> {
    await this.raw.run(PUT_BLOCK, [this.did, cid.bytes, block, rev]);
    if (this.memo) this.cache.set(cid, block);
  }

  async putMany(blocks: BlockMap | Iterable<{ cid: Cid | CID; bytes: Uint8Array }>, rev: string): Promise<void> {
    const rows: unknown[][] = [];
    for (const { cid, bytes } of blocks instanceof BlockMap ? blocks.entries() : blocks) {
      rows.push([this.did, cid.bytes, bytes, rev]);
      if (this.memo) this.cache.set(cid as Cid, bytes);
    }
    if (rows.length > 0) await this.raw.runMany(PUT_BLOCK, rows);
  }

  /**
   * Delete blocks that the new commit no longer reaches. A record block is kept while another record of
   * this repo still has the same CID (identical records share one block), so call this AFTER the records
   * index has been updated for the commit.
   */
  async deleteUnreachable(cids: Iterable<Cid | CID>): Promise<void> {
    const rows: unknown[][] = [];
    for (const cid of cids) {
      rows.push([this.did, cid.bytes, this.did, cid.toString()]);
      this.cache.delete(cid as Cid);
    }
    if (rows.length > 0) await this.raw.runMany(DELETE_UNREACHABLE, rows);
  }

  async updateRoot(cid: Cid, rev: string): Promise<void> {
    await this.setRoot(cid, rev, null);
  }

  async setRoot(cid: Cid | CID, rev: string, dataCid: Cid | CID | null): Promise<void> {
    await this.raw.run(
      `INSERT INTO repo_roots (did, commit_cid, rev, data_cid, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (did) DO UPDATE SET commit_cid = excluded.commit_cid, rev = excluded.rev, data_cid = excluded.data_cid,
         updated_at = excluded.updated_at`,
      [this.did, cid.toString(), rev, dataCid?.toString() ?? null, new Date().toISOString()],
    );
  }

  /** RepoStorage contract; the commit pipeline (service.ts) applies commits itself, in index-aware order. */
  async applyCommit(commit: CommitData): Promise<void> {
    await this.putMany(commit.newBlocks, commit.rev);
    await this.deleteUnreachable(commit.removedCids.toList());
    await this.setRoot(commit.cid, commit.rev, null);
  }

  /** Remove every block and the root of this repo. */
  async destroy(): Promise<void> {
    await this.raw.run("DELETE FROM repo_blocks WHERE did = ?", [this.did]);
    await this.raw.run("DELETE FROM repo_roots WHERE did = ?", [this.did]);
    this.cache.clear();
  }
}
