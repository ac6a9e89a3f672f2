// Strict signature handling: base64url without padding/whitespace/stray bits, 64-byte compact r||s,
// DER rejected, low-S required on both curves, then ECDSA verification (sha-256 of the unsigned CBOR).
import { secp256k1 } from "@noble/curves/secp256k1";
import { p256 } from "@noble/curves/p256";
import { createPublicKey, verify as nodeVerify, type KeyObject } from "node:crypto";
import { parseRotationKey, type RotationCurve } from "./didkey.ts";
import { sha256 } from "./encoding.ts";
import { verifySecp256k1 } from "./verify-pool.ts";

const B64URL_86 = /^[A-Za-z0-9_-]{86}$/;

/**
 * Decode a signature string strictly. 64 bytes are exactly 86 unpadded base64url chars; the
 * round-trip check rejects non-zero trailing bits (the last char carries 2 data bits + 4 zero bits).
 */
export function parseSignature(sig: string): Uint8Array | null {
  if (!B64URL_86.test(sig)) return null;
  const bytes = new Uint8Array(Buffer.from(sig, "base64url"));
  if (bytes.length !== 64) return null;
  if (Buffer.from(bytes).toString("base64url") !== sig) return null;
  if (looksLikeDer(bytes)) return null;
  return bytes;
}

/**
 * A 64-byte string can also be a valid DER ECDSA signature (short r and s); reject those outright,
 * as the reference validator now does, so a DER encoding can never be reinterpreted as r||s.
 */
export function looksLikeDer(b: Uint8Array): boolean {
  if (b[0] !== 0x30 || b[1] !== b.length - 2) return false;
  let i = 2;
  for (let part = 0; part < 2; part++) {
    if (b[i] !== 0x02) return false;
    const len = b[i + 1];
    if (len === undefined || len === 0 || len > 33) return false;
    i += 2 + len;
  }
  return i === b.length;
}

const CURVE_ORDER: Record<RotationCurve, bigint> = {
  secp256k1: secp256k1.CURVE.n,
  p256: p256.CURVE.n,
};

function toBigInt(bytes: Uint8Array): bigint {
  return BigInt("0x" + Buffer.from(bytes).toString("hex"));
}

/** 0 < r < n and 0 < s <= n/2 (low-S): the only accepted form of a compact signature. */
export function isLowSCompact(sig: Uint8Array, curve: RotationCurve): boolean {
  const n = CURVE_ORDER[curve];
  const r = toBigInt(sig.subarray(0, 32));
  const s = toBigInt(sig.subarray(32, 64));
  return r > 0n && r < n && s > 0n && s <= n >> 1n;
}

// P-256 verification uses the native (BoringSSL) verifier, ~15x faster than pure JS; secp256k1 is
// not available natively in Bun, so it stays on @noble/curves. Both get the explicit checks above.
const P256_SPKI_PREFIX = Buffer.from("3039301306072a8648ce3d020106082a8648ce3d030107032200", "hex");
const p256KeyObjects = new Map<string, KeyObject>();

function p256KeyObject(didKey: string, publicKey: Uint8Array): KeyObject {
  let key = p256KeyObjects.get(didKey);
  if (!key) {
    key = createPublicKey({ key: Buffer.concat([P256_SPKI_PREFIX, publicKey]), format: "der", type: "spki" });
    if (p256KeyObjects.size >= 10_000) p256KeyObjects.clear();
    p256KeyObjects.set(didKey, key);
  }
  return key;
}

/** Verify one compact signature against one rotation did:key; false on any malformed input. */
export async function verifyWithKey(didKey: string, data: Uint8Array, sig: Uint8Array): Promise<boolean> {
  const key = parseRotationKey(didKey);
  if (!key) return false;
  if (!isLowSCompact(sig, key.curve)) return false;
  try {
    if (key.curve === "p256") {
      return nodeVerify("sha256", data, { key: p256KeyObject(didKey, key.publicKey), dsaEncoding: "ieee-p1363" }, sig);
    }
    return await verifySecp256k1(key.publicKey, sha256(data), sig);
  } catch {
    return false;
  }
}

/**
 * Index of the first key in `keys` whose signature check passes (its authority), or -1.
 * Each distinct key is tried once even when the list holds duplicates.
 */
export async function findSignerIndex(keys: readonly string[], data: Uint8Array, sig: Uint8Array): Promise<number> {
  const tried = new Set<string>();
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (tried.has(k)) continue;
    tried.add(k);
    if (await verifyWithKey(k, data, sig)) return i;
  }
  return -1;
}
