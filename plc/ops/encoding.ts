// Canonical DAG-CBOR encoding, op CIDs (CIDv1 dag-cbor sha2-256 base32) and genesis DID derivation.
import * as dagCbor from "@ipld/dag-cbor";
import { base32 } from "multiformats/bases/base32";
import { createHash } from "node:crypto";

export function encodeCbor(value: unknown): Uint8Array {
  return dagCbor.encode(value);
}

export function sha256(bytes: Uint8Array): Uint8Array {
  return createHash("sha256").update(bytes).digest();
}

// CIDv1 header: version 1, codec dag-cbor (0x71), multihash sha2-256 (0x12) of 32 bytes (0x20).
const CID_PREFIX = Uint8Array.of(0x01, 0x71, 0x12, 0x20);

export function cidForDigest(digest: Uint8Array): string {
  const bytes = new Uint8Array(36);
  bytes.set(CID_PREFIX, 0);
  bytes.set(digest, 4);
  return base32.encode(bytes); // multibase "b" prefix + lower-case base32
}

/** CID of an already-encoded full operation (including `sig`). */
export function cidForCbor(cbor: Uint8Array): string {
  return cidForDigest(sha256(cbor));
}

export function cidForOp(op: unknown): string {
  return cidForCbor(encodeCbor(op));
}

/** The bytes a signature covers: the DAG-CBOR of the operation without its `sig` key. */
export function unsignedBytes(op: Record<string, unknown>): Uint8Array {
  const { sig: _sig, ...rest } = op;
  return encodeCbor(rest);
}

/** did:plc + first 24 chars of base32-lower(sha256(DAG-CBOR(signed genesis op))). */
export function didForDigest(digest: Uint8Array): string {
  return "did:plc:" + base32.baseEncode(digest).slice(0, 24);
}

export function didForGenesis(op: unknown): string {
  return didForDigest(sha256(encodeCbor(op)));
}

export const PLC_DID_RE = /^did:plc:[a-z2-7]{24}$/;

/** Is `s` a canonical CIDv1 dag-cbor sha2-256 base32 string, the only form a `prev` may take? */
export function isCanonicalOpCid(s: string): boolean {
  if (s.length !== 59 || !s.startsWith("bafyrei")) return false;
  try {
    const bytes = base32.decode(s);
    return bytes.length === 36 && base32.encode(bytes) === s;
  } catch {
    return false;
  }
}
