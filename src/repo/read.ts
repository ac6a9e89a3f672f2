// RepoService, committed reads (spec 03): head, records, collections, counts, the repo CAR export and record proofs.
import { MST, Repo, getRecords } from "@atproto/repo";
import { and, asc, eq } from "drizzle-orm";
import { CID } from "multiformats/cid";
import { CarWriter } from "./car.ts";
import type { ValidationStatus } from "./records.ts";
import { SqlRepoStorage } from "./storage.ts";
import { records, repoRoots } from "./schema.ts";
import type { Orm } from "../db/database.ts";
import type { RecordView, RepoCtx } from "./service.ts";

/** The committed state, through the shared read handle. */
function reader(ctx: RepoCtx) {
  return ctx.deps.db.raw;
}

/** The current head, or null when no repo is hosted for the DID. */
export async function readHead(ctx: RepoCtx, did: string): Promise<{ cid: string; rev: string } | null> {
  const row = await reader(ctx).get<{ commit_cid: string; rev: string }>("SELECT commit_cid, rev FROM repo_roots WHERE did = ?", [did]);
  return row ? { cid: row.commit_cid, rev: row.rev } : null;
}

export async function getRecord(ctx: RepoCtx, did: string, collection: string, rkey: string): Promise<(RecordView & { validationStatus: ValidationStatus }) | null> {
  const row = await reader(ctx).get<{ cid: string; value: string; validation_status: ValidationStatus }>(
    "SELECT cid, value, validation_status FROM records WHERE did = ? AND collection = ? AND rkey = ?",
    [did, collection, rkey],
  );
  if (!row) return null;
  return { uri: `at://${did}/${collection}/${rkey}`, cid: row.cid, value: JSON.parse(row.value), validationStatus: row.validation_status };
}

/** rkey descending (ascending with `reverse`); the cursor is the last rkey returned, present only when more exist. */
export async function listRecords(
  ctx: RepoCtx,
  did: string,
  collection: string,
  opts: { limit?: number; cursor?: string; reverse?: boolean } = {},
): Promise<{ records: RecordView[]; cursor?: string }> {
  const limit = opts.limit ?? 50;
  const cmp = opts.reverse ? ">" : "<";
  const order = opts.reverse ? "ASC" : "DESC";
  const cursorSql = opts.cursor !== undefined ? `AND rkey ${cmp} ?` : "";
  const args: (string | number)[] = [did, collection];
  if (opts.cursor !== undefined) args.push(opts.cursor);
  args.push(limit + 1);
  const rows = await reader(ctx).all<{ rkey: string; cid: string; value: string }>(
    `SELECT rkey, cid, value FROM records WHERE did = ? AND collection = ? ${cursorSql} ORDER BY rkey ${order} LIMIT ?`,
    args,
  );
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  return {
    records: page.map((r) => ({ uri: `at://${did}/${collection}/${r.rkey}`, cid: r.cid, value: JSON.parse(r.value) })),
    ...(more ? { cursor: page[page.length - 1]!.rkey } : {}),
  };
}

/** Distinct collections of the repo, sorted. */
export async function collections(ctx: RepoCtx, did: string): Promise<string[]> {
  // Skip-scan over the (did, collection, rkey) primary key: one seek per collection, not one row per record.
  const rows = await reader(ctx).all<{ collection: string }>(
    `WITH RECURSIVE c(name) AS (
       SELECT MIN(collection) FROM records WHERE did = ?
       UNION ALL
       SELECT (SELECT MIN(collection) FROM records WHERE did = ? AND collection > c.name) FROM c WHERE c.name IS NOT NULL
     ) SELECT name AS collection FROM c WHERE name IS NOT NULL`,
    [did, did],
  );
  return rows.map((r) => r.collection);
}

/** Number of indexed records (checkAccountStatus). */
export async function recordCount(ctx: RepoCtx, did: string): Promise<number> {
  return Number((await reader(ctx).get<{ n: number }>("SELECT COUNT(*) AS n FROM records WHERE did = ?", [did]))?.n ?? 0);
}

/** Number of stored blocks (checkAccountStatus). */
export async function blockCount(ctx: RepoCtx, did: string): Promise<number> {
  return Number((await reader(ctx).get<{ n: number }>("SELECT COUNT(*) AS n FROM repo_blocks WHERE did = ?", [did]))?.n ?? 0);
}

/**
 * The repo as a CAR stream: the signed commit (first root, first block) then every block, or only the blocks
 * written after `since`. The head and the blocks are read by ONE statement, so a commit landing mid-stream can
 * neither tear the CAR (a statement sees one snapshot on both engines) nor wait for the download. Null when the
 * DID has no repo.
 */
export async function getRepoCar(ctx: RepoCtx, did: string, since?: string): Promise<ReadableStream<Uint8Array> | null> {
  // LEFT JOIN: a repo with nothing after `since` still answers with its root
  const rows = await reader(ctx).all<{ commit_cid: string; rev: string; cid: Uint8Array | null; bytes: Uint8Array | null }>(
    `SELECT r.commit_cid AS commit_cid, r.rev AS rev, b.cid AS cid, b.bytes AS bytes
       FROM repo_roots r LEFT JOIN repo_blocks b ON b.did = r.did${since !== undefined ? " AND b.rev > ?" : ""} WHERE r.did = ?`,
    since !== undefined ? [since, did] : [did],
  );
  const root = rows[0];
  if (!root) return null;
  const commitCid = CID.parse(root.commit_cid);
  const commitKey = Buffer.from(commitCid.bytes);
  const writer = new CarWriter(commitCid);
  if (since === undefined || root.rev > since) {
    const commit = rows.find((r) => r.cid !== null && commitKey.equals(r.cid));
    if (commit) writer.add(commitCid.bytes, commit.bytes!);
  }
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      for (;;) {
        if (i >= rows.length) {
          const last = writer.take(true);
          if (last) controller.enqueue(last);
          rows.length = 0;
          controller.close();
          return;
        }
        const { cid, bytes } = rows[i++]!;
        if (cid === null || bytes === null || commitKey.equals(cid)) continue;
        writer.add(cid, bytes);
        const chunk = writer.take();
        if (chunk) {
          controller.enqueue(chunk);
          return;
        }
      }
    },
    cancel() {
      rows.length = 0;
    },
  });
}

/** The signed commit, the MST nodes on the record's path and the record block; null when the repo or record is missing. */
export async function getRecordProofCar(ctx: RepoCtx, did: string, collection: string, rkey: string): Promise<Uint8Array<ArrayBuffer> | null> {
  // The MST walk awaits between reads, so a commit may land mid-walk: retry until the head is stable.
  for (let attempt = 0; attempt < 5; attempt++) {
    const head = await readHead(ctx, did);
    if (!head || !(await getRecord(ctx, did, collection, rkey))) return null;
    const storage = new SqlRepoStorage(reader(ctx), did);
    try {
      const chunks: Uint8Array[] = [];
      for await (const c of getRecords(storage, CID.parse(head.cid), [{ collection, rkey }])) chunks.push(c);
      if ((await readHead(ctx, did))?.cid === head.cid) return new Uint8Array(Buffer.concat(chunks));
    } catch (err) {
      if ((await readHead(ctx, did))?.cid === head.cid) throw err;
    }
  }
  throw new Error(`repo ${did} changed during proof construction`);
}

/** The data MST of the current head (tests, repair). */
export async function loadTree(ctx: RepoCtx, did: string): Promise<MST | null> {
  const head = await readHead(ctx, did);
  if (!head) return null;
  const repo = await Repo.load(new SqlRepoStorage(reader(ctx), did), CID.parse(head.cid));
  return repo.data;
}

// ---- reads on a given connection: `tx.orm` inside a write transaction (the serialised, current state) ----------

/** The repo head read on `orm`, or null when no repo is hosted for the DID. */
export async function headOn(orm: Orm, did: string): Promise<{ cid: string; rev: string } | null> {
  return (await orm.select({ cid: repoRoots.commitCid, rev: repoRoots.rev }).from(repoRoots).where(eq(repoRoots.did, did)).get()) ?? null;
}

/** Every indexed record of one collection, rkey ascending, read on `orm`. No paging: for collections known to be small. */
export async function collectionRecordsOn(orm: Orm, did: string, collection: string): Promise<Array<{ rkey: string; cid: string; value: unknown }>> {
  const rows = await orm
    .select({ rkey: records.rkey, cid: records.cid, value: records.value })
    .from(records)
    .where(and(eq(records.did, did), eq(records.collection, collection)))
    .orderBy(asc(records.rkey))
    .all();
  return rows.map((r) => ({ rkey: r.rkey, cid: r.cid, value: JSON.parse(r.value) as unknown }));
}
