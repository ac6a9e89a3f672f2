// Hosting reads for com.atproto.sync.{listRepos,getRepoStatus,getBlocks} (spec 03 §6, §9): SQL over accounts and repo storage.
import type { Database } from "../db/database.ts";
import { sqliteOf } from "../db/sqlite.ts";
import type { AccountStatus } from "../caller.ts";
import type { CID } from "multiformats/cid";
import { communityActivity } from "../community/repo-access.ts";
import type { CommunityStatus } from "../community/schema.ts";

/** Statuses whose repos do not exist to the outside world (§9: RepoNotFound, never listed). */
const HIDDEN: ReadonlySet<string> = new Set(["creating", "pending", "rejected"]);

export interface RepoActivity {
  active: boolean;
  status?: "deactivated" | "suspended" | "takendown";
}

/** §9 table: what getRepoStatus and listRepos say for an account status; null → RepoNotFound / not listed. */
export function repoActivity(status: AccountStatus | string): RepoActivity | null {
  switch (status) {
    case "approved":
      return { active: true };
    case "deactivated":
    case "disabled":
      return { active: false, status: "deactivated" };
    case "suspended":
      return { active: false, status: "suspended" };
    case "takendown":
      return { active: false, status: "takendown" };
    default:
      return null;
  }
}

export interface ListedRepo extends RepoActivity {
  did: string;
  head: string;
  rev: string;
}

/**
 * Hosted repos in hosting order (the repo_roots rowid: the order repos were created here), skipping hidden
 * accounts. The cursor is that rowid, so pages never skip or repeat a repo while others are added.
 */
export function listHostedRepos(db: Database, opts: { limit: number; cursor?: string }): { repos: ListedRepo[]; cursor?: string } {
  const after = opts.cursor === undefined ? 0 : Number(opts.cursor);
  const rows = sqliteOf(db.orm)
    .query<{ pos: number; did: string; head: string; rev: string; status: string | null; cstatus: string | null; cvis: string | null }, [number, number]>(
      `SELECT r.rowid AS pos, r.did, r.commit_cid AS head, r.rev, a.status, c.status AS cstatus, c.visibility AS cvis FROM repo_roots r
       LEFT JOIN accounts a ON a.did = r.did LEFT JOIN communities c ON c.did = r.did
       WHERE r.rowid > ? AND (a.status NOT IN (${[...HIDDEN].map((s) => `'${s}'`).join(", ")})
         OR (a.did IS NULL AND c.visibility = 'public' AND c.status IN ('active', 'suspended', 'takendown', 'migrated')))
       ORDER BY r.rowid LIMIT ?`,
    )
    .all(Number.isSafeInteger(after) && after > 0 ? after : 0, opts.limit + 1);
  const page = rows.slice(0, opts.limit);
  return {
    repos: page.map((r) => ({
      did: r.did, head: r.head, rev: r.rev,
      ...(r.status !== null ? repoActivity(r.status)! : communityActivity({ status: r.cstatus as CommunityStatus, visibility: r.cvis as "public" })!),
    })),
    ...(rows.length > opts.limit ? { cursor: String(page[page.length - 1]!.pos) } : {}),
  };
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
