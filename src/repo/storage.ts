// SqlRepoStorage: the @atproto/repo RepoStorage over one SQLite connection (the writer inside a transaction, or a reader).
import type { Database as SqliteDatabase } from "bun:sqlite";
import { BlockMap, ReadableBlockstore, type CommitData, type RepoStorage } from "@atproto/repo";
import type { Cid } from "@atproto/lex-data";
import { CID } from "multiformats/cid";

/**
 * Reads and writes the blocks of ONE repo through the connection it is given. Write-side instances must be
 * built from `tx.orm.$client` inside `db.transaction`, so everything they write commits or rolls back with
 * the rest of the commit. Blocks read or written through an instance are memoised for its lifetime (one write).
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
    private readonly client: SqliteDatabase,
    readonly did: string,
    private readonly memo = true,
  ) {
    super();
  }

  async getRoot(): Promise<Cid | null> {
    return this.root()?.cid ?? null;
  }

  /** The current head, synchronously (callers inside a transaction need no await). */
  root(): { cid: Cid; rev: string; dataCid: string | null } | null {
    const row = this.client
      .query<{ commit_cid: string; rev: string; data_cid: string | null }, [string]>(
        "SELECT commit_cid, rev, data_cid FROM repo_roots WHERE did = ?",
      )
      .get(this.did);
    return row ? { cid: CID.parse(row.commit_cid) as Cid, rev: row.rev, dataCid: row.data_cid } : null;
  }

  async getBytes(cid: Cid): Promise<Uint8Array | null> {
    return this.getBytesSync(cid);
  }

  getBytesSync(cid: Cid): Uint8Array | null {
    const cached = this.cache.get(cid);
    if (cached) return cached;
    const row = this.client
      .query<{ bytes: Uint8Array }, [string, Uint8Array]>("SELECT bytes FROM repo_blocks WHERE did = ? AND cid = ?")
      .get(this.did, cid.bytes);
    if (!row) return null;
    this.reads++;
    const bytes = new Uint8Array(row.bytes);
    if (this.memo) this.cache.set(cid, bytes);
    return bytes;
  }

  async has(cid: Cid): Promise<boolean> {
    return this.getBytesSync(cid) !== null;
  }

  async getBlocks(cids: Cid[]): Promise<{ blocks: BlockMap; missing: Cid[] }> {
    const blocks = new BlockMap();
    const missing: Cid[] = [];
    for (const cid of cids) {
      const bytes = this.getBytesSync(cid);
      if (bytes) blocks.set(cid, bytes);
      else missing.push(cid);
    }
    return { blocks, missing };
  }

  async putBlock(cid: Cid, block: Uint8Array, rev: string): Promise<void> {
    this.putBlockSync(cid, block, rev);
  }

  putBlockSync(cid: Cid, block: Uint8Array, rev: string): void {
    // OR IGNORE: an identical block (same CID) already stored keeps its original rev.
    this.client
      .query("INSERT OR IGNORE INTO repo_blocks (did, cid, bytes, rev) VALUES (?, ?, ?, ?)")
      .run(this.did, cid.bytes, block, rev);
    if (this.memo) this.cache.set(cid, block);
  }

  async putMany(blocks: BlockMap, rev: string): Promise<void> {
    this.putManySync(blocks, rev);
  }

  putManySync(blocks: BlockMap | Iterable<{ cid: Cid | CID; bytes: Uint8Array }>, rev: string): void {
    const stmt = this.client.query("INSERT OR IGNORE INTO repo_blocks (did, cid, bytes, rev) VALUES (?, ?, ?, ?)");
    for (const { cid, bytes } of blocks instanceof BlockMap ? blocks.entries() : blocks) {
      stmt.run(this.did, cid.bytes, bytes, rev);
      if (this.memo) this.cache.set(cid as Cid, bytes);
    }
  }

  /**
   * Delete blocks that the new commit no longer reaches. A record block is kept while another record of
   * this repo still has the same CID (identical records share one block), so call this AFTER the records
   * index has been updated for the commit.
   */
  deleteUnreachable(cids: Iterable<Cid | CID>): void {
    const stmt = this.client.query(
      `DELETE FROM repo_blocks WHERE did = ?1 AND cid = ?2
         AND NOT EXISTS (SELECT 1 FROM records WHERE did = ?1 AND cid = ?3)`,
    );
    for (const cid of cids) {
      stmt.run(this.did, cid.bytes, cid.toString());
      this.cache.delete(cid as Cid);
    }
  }

  async updateRoot(cid: Cid, rev: string): Promise<void> {
    this.setRoot(cid, rev, null);
  }

  setRoot(cid: Cid | CID, rev: string, dataCid: Cid | CID | null): void {
    this.client
      .query(
        `INSERT INTO repo_roots (did, commit_cid, rev, data_cid, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (did) DO UPDATE SET commit_cid = ?2, rev = ?3, data_cid = ?4, updated_at = ?5`,
      )
      .run(this.did, cid.toString(), rev, dataCid?.toString() ?? null, new Date().toISOString());
  }

  /** RepoStorage contract; the commit pipeline (service.ts) applies commits itself, in index-aware order. */
  async applyCommit(commit: CommitData): Promise<void> {
    this.putManySync(commit.newBlocks, commit.rev);
    this.deleteUnreachable(commit.removedCids.toList());
    this.setRoot(commit.cid, commit.rev, null);
  }

  /** Remove every block and the root of this repo. */
  destroy(): void {
    this.client.query("DELETE FROM repo_blocks WHERE did = ?").run(this.did);
    this.client.query("DELETE FROM repo_roots WHERE did = ?").run(this.did);
    this.cache.clear();
  }
}
