// Hosting reads for com.atproto.sync.{listRepos,getBlocks} (spec 03 §6): SQL over the repo tables only.
import type { Database } from "../db/database.ts";
import { sqliteOf } from "../db/sqlite.ts";
import type { CID } from "multiformats/cid";

/** One batch of repo_roots after the rowid `after`, in hosting order (listRepos pages over it). */
export function repoRootsAfter(db: Database, after: number, limit: number): Array<{ pos: number; did: string; head: string; rev: string }> {
  return sqliteOf(db.orm)
    .query<{ pos: number; did: string; head: string; rev: string }, [number, number]>(
      "SELECT rowid AS pos, did, commit_cid AS head, rev FROM repo_roots WHERE rowid > ? ORDER BY rowid LIMIT ?",
    )
    .all(after, limit);
}

/** Blocks of the repo by CID; `missing` lists those not stored (getBlocks → BlockNotFound). */
export function getRepoBlocks(db: Database, did: string, cids: CID[]): { blocks: Array<{ cid: CID; bytes: Uint8Array }>; missing: CID[] } {
  const q = sqliteOf(db.orm).query<{ bytes: Uint8Array }, [string, Uint8Array]>("SELECT bytes FROM repo_blocks WHERE did = ? AND cid = ?");
  const blocks: Array<{ cid: CID; bytes: Uint8Array }> = [];
  const missing: CID[] = [];
  for (const cid of cids) {
    const row = q.get(did, cid.bytes);
    if (row) blocks.push({ cid, bytes: row.bytes });
    else missing.push(cid);
  }
  return { blocks, missing };
}
