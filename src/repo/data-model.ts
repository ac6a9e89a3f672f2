// The AT Protocol data model checked on a record's JSON form before any write, whatever `validate` says (spec 03 §2).
import { CID } from "multiformats/cid";
import { invalidRequest } from "../errors.ts";

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Throws 400 InvalidRequest naming the path of the first violation: non-integer numbers, `$link` not exactly
 * `{"$link": <CID string>}`, `$bytes` not exactly `{"$bytes": <base64>}`, `$type` not a non-empty string,
 * `{"$type":"blob"}` objects without a CID `ref`, a non-empty string `mimeType` and a non-negative integer `size`.
 */
export function assertDataModel(value: unknown, path = "record"): void {
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw invalidRequest(`Invalid record data at ${path}: numbers must be integers (no floats)`);
    return;
  }
  if (value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertDataModel(v, `${path}[${i}]`));
    return;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if ("$link" in obj) {
    if (keys.length !== 1 || typeof obj.$link !== "string" || !isCid(obj.$link)) throw invalidRequest(`Invalid record data at ${path}: $link must be the only key and a valid CID string`);
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
    const okRef = !!ref && typeof ref === "object" && Object.keys(ref).length === 1 && typeof ref.$link === "string" && isCid(ref.$link);
    const okMime = typeof obj.mimeType === "string" && obj.mimeType.length > 0;
    const okSize = typeof obj.size === "number" && Number.isSafeInteger(obj.size) && obj.size >= 0;
    if (!okRef || !okMime || !okSize) throw invalidRequest(`Invalid record data at ${path}: a blob needs ref {$link: CID}, a mimeType and an integer size`);
  }
  for (const k of keys) assertDataModel(obj[k], `${path}.${k}`);
}

function isCid(s: string): boolean {
  try {
    CID.parse(s);
    return true;
  } catch {
    return false;
  }
}
