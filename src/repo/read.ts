// RepoService, committed reads (spec 03): head, records, collections, counts, the repo CAR export and record proofs.
import { MST, Repo, getRecords } from "@atproto/repo";
import { and, asc, eq } from "drizzle-orm";
import { CID } from "multiformats/cid";
import { openSqlite } from "../db/sqlite.ts";
import { CarWriter } from "./car.ts";
import type { ValidationStatus } from "./records.ts";
import { sqliteOf } from "../db/sqlite.ts";
import { SqlRepoStorage } from "./storage.ts";
import { records, repoRoots } from "./schema.ts";
import type { Orm } from "../db/database.ts";
import type { RecordView, RepoCtx } from "./service.ts";

/** The committed state, through the shared read connection. */
function reader(ctx: RepoCtx) {
  return sqliteOf(ctx.deps.db.orm);
}

/** The current head, or null when no repo is hosted for the DID. */
export function readHead(ctx: RepoCtx, did: string): { cid: string; rev: string } | null {
  const row = reader(ctx)
    .query<{ commit_cid: string; rev: string }, [string]>("SELECT commit_cid, rev FROM repo_roots WHERE did = ?")
    .get(did);
  return row ? { cid: row.commit_cid, rev: row.rev } : null;
}

export function getRecord(ctx: RepoCtx, did: string, collection: string, rkey: string): (RecordView & { validationStatus: ValidationStatus }) | null {
  const row = reader(ctx)
    .query<{ cid: string; value: string; validation_status: ValidationStatus }, [string, string, string]>(
      "SELECT cid, value, validation_status FROM records WHERE did = ? AND collection = ? AND rkey = ?",
    )
    .get(did, collection, rkey);
  if (!row) return null;
  return { uri: `at://${did}/${collection}/${rkey}`, cid: row.cid, value: JSON.parse(row.value), validationStatus: row.validation_status };
}

/** rkey descending (ascending with `reverse`); the cursor is the last rkey returned, present only when more exist. */
export function listRecords(
  ctx: RepoCtx,
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
  const rows = reader(ctx)
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
export function collections(ctx: RepoCtx, did: string): string[] {
  // Skip-scan over the (did, collection, rkey) primary key: one seek per collection, not one row per record.
  return reader(ctx)
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
export function recordCount(ctx: RepoCtx, did: string): number {
  return reader(ctx).query<{ n: number }, [string]>("SELECT COUNT(*) AS n FROM records WHERE did = ?").get(did)?.n ?? 0;
}

/** Number of stored blocks (checkAccountStatus). */
export function blockCount(ctx: RepoCtx, did: string): number {
  return reader(ctx).query<{ n: number }, [string]>("SELECT COUNT(*) AS n FROM repo_blocks WHERE did = ?").get(did)?.n ?? 0;
}

/**
 * The repo as a CAR stream: the signed commit (first root, first block) then every block, or only the
 * blocks written after `since`. Reads run in one snapshot on a private read-only connection, so a commit
 * landing mid-stream can neither tear the CAR nor delay the writer. Null when the DID has no repo.
 */
export function getRepoCar(ctx: RepoCtx, did: string, since?: string): ReadableStream<Uint8Array> | null {
  const conn = openSqlite(ctx.deps.db.path, { readonly: true });
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
export async function getRecordProofCar(ctx: RepoCtx, did: string, collection: string, rkey: string): Promise<Uint8Array<ArrayBuffer> | null> {
  // The MST walk awaits between reads, so a commit may land mid-walk: retry until the head is stable.
  for (let attempt = 0; attempt < 5; attempt++) {
    const head = readHead(ctx, did);
    if (!head || !getRecord(ctx, did, collection, rkey)) return null;
    const storage = new SqlRepoStorage(reader(ctx), did);
    try {
      const chunks: Uint8Array[] = [];
      for await (const c of getRecords(storage, CID.parse(head.cid), [{ collection, rkey }])) chunks.push(c);
      if (readHead(ctx, did)?.cid === head.cid) return new Uint8Array(Buffer.concat(chunks));
    } catch (err) {
      if (readHead(ctx, did)?.cid === head.cid) throw err;
    }
  }
  throw new Error(`repo ${did} changed during proof construction`);
}

/** The data MST of the current head (tests, repair). */
export async function loadTree(ctx: RepoCtx, did: string): Promise<MST | null> {
  const head = readHead(ctx, did);
  if (!head) return null;
  const repo = await Repo.load(new SqlRepoStorage(reader(ctx), did), CID.parse(head.cid));
  return repo.data;
}

// ---- reads on a given connection: `tx.orm` inside a write transaction (the serialised, current state) ----------

/** The repo head read on `orm`, or null when no repo is hosted for the DID. */
export function headOn(orm: Orm, did: string): { cid: string; rev: string } | null {
  return orm.select({ cid: repoRoots.commitCid, rev: repoRoots.rev }).from(repoRoots).where(eq(repoRoots.did, did)).get() ?? null;
}

/** Every indexed record of one collection, rkey ascending, read on `orm`. No paging: for collections known to be small. */
export function collectionRecordsOn(orm: Orm, did: string, collection: string): Array<{ rkey: string; cid: string; value: unknown }> {
  return orm
    .select({ rkey: records.rkey, cid: records.cid, value: records.value })
    .from(records)
    .where(and(eq(records.did, did), eq(records.collection, collection)))
    .orderBy(asc(records.rkey))
    .all()
    .map((r) => ({ rkey: r.rkey, cid: r.cid, value: JSON.parse(r.value) as unknown }));
}
