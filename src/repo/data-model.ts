// The AT Protocol data model checked on a record's JSON form before any write, whatever `validate` says (spec 03 §2, 10 §7).
import { CID } from "multiformats/cid";
import { invalidRequest } from "../errors.ts";

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const DAG_CBOR = 0x71;
const RAW = 0x55;
const SHA2_256 = 0x12;
const BLOB_KEYS = ["$type", "mimeType", "ref", "size"];

export interface DataModelOptions {
  /** importRepo only (10 §7): legacy `{cid, mimeType}` blob refs written long ago by other servers are kept */
  legacyBlobs?: boolean;
}

/**
 * Throws 400 InvalidRequest naming the path of the first violation: non-integer numbers (or beyond ±(2^53−1)),
 * `$link` not exactly `{"$link": <CIDv1, dag-cbor or raw, sha-256>}`, `$bytes` not exactly `{"$bytes": <base64>}`,
 * a `$type` that is not a non-empty string, a blob that is not exactly `{$type:"blob", ref:{$link: CID as for
 * $link}, mimeType (non-empty), size (integer > 0)}`, and (unless `legacyBlobs`) a legacy `{cid, mimeType}` blob.
 * Blob refs take dag-cbor CIDs too (the interop record-data-valid vector "full" has one); uploads are raw, and
 * the blob existence check (03 §5) refuses any ref that names no uploaded blob.
 */
export function assertDataModel(value: unknown, path = "record", opts: DataModelOptions = {}): void {
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw invalidRequest(`Invalid record data at ${path}: numbers must be integers (no floats)`);
    return;
  }
  if (value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertDataModel(v, `${path}[${i}]`, opts));
    return;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if ("$link" in obj) {
    if (keys.length !== 1 || typeof obj.$link !== "string" || !isBlessedCid(obj.$link, [DAG_CBOR, RAW])) {
      throw invalidRequest(`Invalid record data at ${path}: $link must be the only key and a CIDv1 (dag-cbor or raw, sha-256)`);
    }
    return;
  }
  if ("$bytes" in obj) {
    const b = obj.$bytes;
    if (keys.length !== 1 || typeof b !== "string" || !BASE64.test(b) || b.replace(/=+$/, "").length % 4 === 1) throw invalidRequest(`Invalid record data at ${path}: $bytes must be the only key and valid base64`);
    return;
  }
  if ("$type" in obj && (typeof obj.$type !== "string" || obj.$type.length === 0)) throw invalidRequest(`Invalid record data at ${path}.$type: must be a non-empty string`);
  if (obj.$type === "blob") {
    const ref = obj.ref as Record<string, unknown> | undefined;
    const okKeys = keys.length === BLOB_KEYS.length && BLOB_KEYS.every((k) => k in obj);
    const okRef = !!ref && typeof ref === "object" && Object.keys(ref).length === 1 && typeof ref.$link === "string" && isBlessedCid(ref.$link, [DAG_CBOR, RAW]);
    const okMime = typeof obj.mimeType === "string" && obj.mimeType.length > 0;
    const okSize = typeof obj.size === "number" && Number.isSafeInteger(obj.size) && obj.size > 0;
    if (!okKeys || !okRef || !okMime || !okSize) {
      throw invalidRequest(`Invalid record data at ${path}: a blob is exactly {$type:"blob", ref:{$link: CIDv1}, mimeType, size > 0}`);
    }
    return;
  }
  if (!opts.legacyBlobs && isLegacyBlob(obj, keys)) throw invalidRequest(`Invalid record data at ${path}: legacy blobs are not allowed (${String(obj.cid)})`);
  for (const k of keys) assertDataModel(obj[k], `${path}.${k}`, opts);
}

/** `{cid: <CID string>, mimeType: <non-empty string>}` and nothing else: the pre-2023 blob reference. */
function isLegacyBlob(obj: Record<string, unknown>, keys: string[]): boolean {
  return keys.length === 2 && typeof obj.cid === "string" && typeof obj.mimeType === "string" && obj.mimeType.length > 0 && isCid(obj.cid);
}

/** The data model's "blessed" CIDs: version 1, one of `codecs`, sha-256. */
function isBlessedCid(s: string, codecs: number[]): boolean {
  try {
    const cid = CID.parse(s);
    return cid.version === 1 && codecs.includes(cid.code) && cid.multihash.code === SHA2_256;
  } catch {
    return false;
  }
}

function isCid(s: string): boolean {
  try {
    CID.parse(s);
    return true;
  } catch {
    return false;
  }
}
