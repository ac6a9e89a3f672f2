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

/** Blocks read per query while a CAR streams: bounded memory whatever the repo's size. */
const EXPORT_PAGE = 500;
/** A consumer that stops reading for this long loses its export (its snapshot holds a connection or pins the WAL). */
export const EXPORT_IDLE_MS = 60_000;

/**
 * The repo as a CAR stream, commit block first, then every block (or those newer than `since`) in CID order. One read
 * snapshot covers the whole stream, so a commit meanwhile cannot tear it; blocks are read a page at a time, so memory
 * stays bounded. The snapshot is released at the end, on cancel, on error, and after EXPORT_IDLE_MS without a pull.
 */
export async function getRepoCar(ctx: RepoCtx, did: string, since?: string): Promise<ReadableStream<Uint8Array> | null> {
  const snap = await ctx.deps.db.snapshot();
  let root: { commit_cid: string; rev: string } | undefined;
  let commitBytes: Uint8Array | undefined;
  try {
    root = await snap.raw.get<{ commit_cid: string; rev: string }>("SELECT commit_cid, rev FROM repo_roots WHERE did = ?", [did]);
    if (root && (since === undefined || root.rev > since)) {
      const cid = Buffer.from(CID.parse(root.commit_cid).bytes);
      commitBytes = (await snap.raw.get<{ bytes: Uint8Array }>("SELECT bytes FROM repo_blocks WHERE did = ? AND cid = ?", [did, cid]))?.bytes;
    }
  } catch (err) {
    await snap.release();
    throw err;
  }
  if (!root) {
    await snap.release();
    return null;
  }
  const commitCid = CID.parse(root.commit_cid);
  const commitKey = Buffer.from(commitCid.bytes);
  const writer = new CarWriter(commitCid);
  if (commitBytes) writer.add(commitCid.bytes, commitBytes);
  const pageSql = `SELECT cid, bytes FROM repo_blocks WHERE did = ?${since !== undefined ? " AND rev > ?" : ""} AND cid > ? ORDER BY cid LIMIT ${EXPORT_PAGE}`;
  let after: Uint8Array = new Uint8Array(0);
  let page: Array<{ cid: Uint8Array; bytes: Uint8Array }> = [];
  let i = 0;
  let done = false;
  let idle: ReturnType<typeof setTimeout> | undefined;
  const finish = () => {
    clearTimeout(idle);
    page = [];
    return snap.release();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      clearTimeout(idle);
      try {
        for (;;) {
          if (i >= page.length) {
            if (!done) {
              page = await snap.raw.all(pageSql, since !== undefined ? [did, since, after] : [did, after]);
              i = 0;
              done = page.length < EXPORT_PAGE;
              if (page.length > 0) after = page[page.length - 1]!.cid;
            }
            if (i >= page.length) {
              const last = writer.take(true);
              if (last) controller.enqueue(last);
              await finish();
              controller.close();
              return;
            }
          }
          const { cid, bytes } = page[i++]!;
          if (commitKey.equals(cid)) continue;
          writer.add(cid, bytes);
          const chunk = writer.take();
          if (chunk) {
            controller.enqueue(chunk);
            idle = setTimeout(() => {
              void finish();
              controller.error(new Error("repo export idle for too long"));
            }, EXPORT_IDLE_MS);
            return;
          }
        }
      } catch (err) {
        await finish();
        throw err;
      }
    },
    cancel() {
      return finish();
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
