// did:key parsing for rotation keys (secp256k1 / P-256 only) and verification methods (any multikey).
import { base58btc } from "multiformats/bases/base58";
import { secp256k1 } from "@noble/curves/secp256k1";
import { p256 } from "@noble/curves/p256";

export type RotationCurve = "secp256k1" | "p256";

export interface RotationKey {
  curve: RotationCurve;
  /** 33-byte compressed SEC1 point */
  publicKey: Uint8Array;
}

// Multicodec varints: secp256k1-pub 0xe7 -> e7 01, p256-pub 0x1200 -> 80 24.
const SECP256K1_PREFIX = [0xe7, 0x01] as const;
const P256_PREFIX = [0x80, 0x24] as const;

/** Bytes of a `did:key:z…` multikey, or null when it is not did:key + base58btc multibase. */
export function decodeDidKey(didKey: string): Uint8Array | null {
  if (!didKey.startsWith("did:key:z")) return null;
  try {
    const bytes = base58btc.decode(didKey.slice(8));
    // Require canonical base58 (no leading-zero tricks): re-encoding must round-trip.
    if (bytes.length < 3 || base58btc.encode(bytes) !== didKey.slice(8)) return null;
    return bytes;
  } catch {
    return null;
  }
}

export function multikeyCurve(bytes: Uint8Array): RotationCurve | null {
  if (bytes[0] === SECP256K1_PREFIX[0] && bytes[1] === SECP256K1_PREFIX[1]) return "secp256k1";
  if (bytes[0] === P256_PREFIX[0] && bytes[1] === P256_PREFIX[1]) return "p256";
  return null;
}

// Parsed rotation keys are cached: the same keys are checked on every update of a DID.
const cache = new Map<string, RotationKey | null>();
const CACHE_MAX = 10_000;

/** A secp256k1 or P-256 did:key with a compressed, on-curve point; null otherwise. */
export function parseRotationKey(didKey: string): RotationKey | null {
  const hit = cache.get(didKey);
  if (hit !== undefined) return hit;
  const parsed = parseUncached(didKey);
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(didKey, parsed);
  return parsed;
}

function parseUncached(didKey: string): RotationKey | null {
  const bytes = decodeDidKey(didKey);
  if (!bytes) return null;
  const curve = multikeyCurve(bytes);
  if (!curve) return null;
  const publicKey = bytes.slice(2);
  if (publicKey.length !== 33 || (publicKey[0] !== 0x02 && publicKey[0] !== 0x03)) return null;
  try {
    (curve === "secp256k1" ? secp256k1 : p256).ProjectivePoint.fromHex(publicKey).assertValidity();
  } catch {
    return null;
  }
  return { curve, publicKey };
}
