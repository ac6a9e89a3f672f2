// Blob references of records (spec 03 §3 steps 1/4): found in record data, checked and indexed in the commit transaction.
import { BlobRef } from "@atproto/lexicon";
import type { Raw, Tx } from "../db/database.ts";
import { invalidRequest } from "../errors.ts";

export interface FoundBlobRef {
  cid: string;
  mimeType: string;
  /** -1 for legacy `{cid, mimeType}` refs, which carry no size */
  size: number;
}

/** Every blob ref in a record in data-model form (after jsonToLex), in document order, deduplicated by CID. */
export function findBlobRefs(value: unknown): FoundBlobRef[] {
  const out = new Map<string, FoundBlobRef>();
  const walk = (v: unknown): void => {
    if (v instanceof BlobRef) {
      const cid = v.ref.toString();
      if (!out.has(cid)) out.set(cid, { cid, mimeType: v.mimeType, size: v.size });
      return;
    }
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object" && !(v instanceof Uint8Array) && !("asCID" in v)) Object.values(v).forEach(walk);
  };
  walk(value);
  return [...out.values()];
}

/** Blob ref CIDs in a record in AT JSON form (`{"$type":"blob","ref":{"$link":cid},...}` at any depth), e.g. from an imported CAR. */
export function jsonBlobRefsOf(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const v of value) jsonBlobRefsOf(v, out);
  } else if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    const ref = o.ref as { $link?: unknown } | undefined;
    if (o.$type === "blob" && ref && typeof ref.$link === "string") out.push(ref.$link);
    else for (const v of Object.values(o)) jsonBlobRefsOf(v, out);
  }
  return out;
}

/**
 * Every ref must name a blob uploaded to this repo (temporary or permanent) with the same mimeType and size
 * → else 400 InvalidRequest. Runs inside the commit transaction, so GC cannot remove a blob between the
 * check and the commit (GC deletes in a transaction of its own).
 */
export async function assertBlobRefsInTx(tx: Tx, did: string, refs: FoundBlobRef[]): Promise<void> {
  for (const ref of refs) {
    const row = await tx.raw.get<{ mime: string; size: number }>("SELECT mime, size FROM blobs WHERE did = ? AND cid = ?", [did, ref.cid]);
    if (!row) throw invalidRequest(`Blob not found: ${ref.cid} (upload it with com.atproto.repo.uploadBlob first)`);
    if (row.mime !== ref.mimeType) throw invalidRequest(`Blob ${ref.cid} has mimeType ${row.mime}, the record says ${ref.mimeType}`);
    if (ref.size !== -1 && row.size !== ref.size) throw invalidRequest(`Blob ${ref.cid} has size ${row.size}, the record says ${ref.size}`);
  }
}

/** The record at `uri` now references exactly `cids` (create/update): index rows replaced, blobs made permanent. */
export async function setRecordBlobsInTx(tx: Tx, did: string, uri: string, cids: string[], rev: string): Promise<void> {
  await tx.raw.run("DELETE FROM record_blobs WHERE did = ? AND record_uri = ?", [did, uri]);
  await insertRefs(tx.raw, did, cids.map((cid) => ({ recordUri: uri, cid })), rev);
}

/** The record at `uri` was deleted: its blobs become GC candidates once nothing else references them. */
export async function dropRecordBlobsInTx(tx: Tx, did: string, uri: string): Promise<void> {
  await tx.raw.run("DELETE FROM record_blobs WHERE did = ? AND record_uri = ?", [did, uri]);
}

/** The repo is gone (rejection, deletion): every blob of it is unreferenced; GC removes files and rows. */
export async function dropRepoBlobRefsInTx(tx: Tx, did: string): Promise<void> {
  await tx.raw.run("DELETE FROM record_blobs WHERE did = ?", [did]);
  // Temporary blobs would otherwise wait for their TTL; permanent ones are unreferenced now.
  await tx.raw.run("UPDATE blobs SET status = 'permanent' WHERE did = ?", [did]);
}

/**
 * importRepo: the imported records reference these blobs. Rows go into record_blobs whether or not the blob
 * exists yet; those without a blobs row are what listMissingBlobs reports until uploaded (an upload of an
 * expected CID is stored permanent at once). Blobs already present become permanent.
 */
export async function markExpectedInTx(tx: Tx, did: string, refs: Array<{ recordUri: string; cid: string }>, rev: string): Promise<void> {
  await insertRefs(tx.raw, did, refs, rev);
}

/**
 * The mimeType a record of the repo declares for blob `cid` (the first referencing record, AT JSON in the records
 * index), or undefined. Used when an upload's bytes and Content-Type say nothing about an expected blob.
 */
export async function recordDeclaredMime(raw: Raw, did: string, cid: string): Promise<string | undefined> {
  const row = await raw.get<{ value: string }>(
    `SELECT r.value FROM record_blobs rb JOIN records r ON r.did = rb.did AND rb.record_uri = 'at://' || r.did || '/' || r.collection || '/' || r.rkey
      WHERE rb.did = ? AND rb.cid = ? LIMIT 1`,
    [did, cid],
  );
  if (!row) return undefined;
  let found: string | undefined;
  const walk = (v: unknown): void => {
    if (found !== undefined || !v || typeof v !== "object") return;
    if (Array.isArray(v)) return v.forEach(walk);
    const o = v as Record<string, unknown>;
    if (o.$type === "blob" && (o.ref as { $link?: unknown } | undefined)?.$link === cid && typeof o.mimeType === "string") found = o.mimeType;
    else Object.values(o).forEach(walk);
  };
  walk(JSON.parse(row.value));
  return found;
}

/** Distinct blob CIDs the repo's records reference, sorted (community.export), read on `raw` (`db.raw` or `tx.raw`). */
export async function referencedBlobCids(raw: Raw, did: string): Promise<string[]> {
  const rows = await raw.all<{ cid: string }>("SELECT DISTINCT cid FROM record_blobs WHERE did = ? ORDER BY cid", [did]);
  return rows.map((r) => r.cid);
}

/** Distinct blob CIDs the records reference (`expected`) and how many of them are stored (`imported`), read on `raw`. */
export async function blobRefCounts(raw: Raw, did: string): Promise<{ expected: number; imported: number }> {
  const row = await raw.get<{ expected: number; imported: number }>(
    `SELECT COUNT(DISTINCT rb.cid) AS expected, COUNT(DISTINCT b.cid) AS imported
       FROM record_blobs rb LEFT JOIN blobs b ON b.did = rb.did AND b.cid = rb.cid WHERE rb.did = ?`,
    [did],
  );
  return { expected: Number(row?.expected ?? 0), imported: Number(row?.imported ?? 0) };
}

async function insertRefs(raw: Raw, did: string, refs: Array<{ recordUri: string; cid: string }>, rev: string): Promise<void> {
  if (refs.length === 0) return;
  await raw.runMany(
    "INSERT INTO record_blobs (did, record_uri, cid, rev) VALUES (?, ?, ?, ?) ON CONFLICT (did, record_uri, cid) DO NOTHING",
    refs.map((r) => [did, r.recordUri, r.cid, rev]),
  );
  await raw.runMany(
    "UPDATE blobs SET status = 'permanent' WHERE did = ? AND cid = ? AND status = 'temporary'",
    refs.map((r) => [did, r.cid]),
  );
}
