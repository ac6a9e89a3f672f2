// Hosting reads for com.atproto.sync.{listRepos,getBlocks} (spec 03 §6): SQL over the repo tables only.
import type { Database } from "../db/database.ts";
import type { CID } from "multiformats/cid";

/** One batch of repo_roots after the rowid `after`, in hosting order (listRepos pages over it). */
export async function repoRootsAfter(db: Database, after: number, limit: number): Promise<Array<{ pos: number; did: string; head: string; rev: string }>> {
  const rows = await db.raw.all<{ pos: number; did: string; head: string; rev: string }>(
    "SELECT rowid AS pos, did, commit_cid AS head, rev FROM repo_roots WHERE rowid > ? ORDER BY rowid LIMIT ?",
    [after, limit],
  );
  return rows.map((r) => ({ ...r, pos: Number(r.pos) }));
}

/** Blocks of the repo by CID; `missing` lists those not stored (getBlocks → BlockNotFound). */
export async function getRepoBlocks(db: Database, did: string, cids: CID[]): Promise<{ blocks: Array<{ cid: CID; bytes: Uint8Array }>; missing: CID[] }> {
  const blocks: Array<{ cid: CID; bytes: Uint8Array }> = [];
  const missing: CID[] = [];
  for (const cid of cids) {
    const row = await db.raw.get<{ bytes: Uint8Array }>("SELECT bytes FROM repo_blocks WHERE did = ? AND cid = ?", [did, cid.bytes]);
    if (row) blocks.push({ cid, bytes: row.bytes });
    else missing.push(cid);
  }
  return { blocks, missing };
}
