// External public keys (spec 06 §6): multibase base58btc + multicodec prefix, length and curve-point checks per type.
import { base58btc } from "multiformats/bases/base58";
import { secp256k1 } from "@noble/curves/secp256k1";
import { p256 } from "@noble/curves/p256";
import { ed25519 } from "@noble/curves/ed25519";
import { DomainError } from "../errors.ts";

export const invalidPublicKey = (message: string) => new DomainError("invalid", "InvalidPublicKey", message);

interface KeyType {
  /** multicodec varint of the key type */
  prefix: readonly [number, number];
  length: number;
  /** throws when the bytes are not a point of the curve; x25519 has none (every 32-byte u-coordinate is accepted, RFC 7748) */
  assertPoint?: (key: Uint8Array) => void;
}

const compressed = (curve: typeof secp256k1 | typeof p256) => (key: Uint8Array) => {
  if (key[0] !== 0x02 && key[0] !== 0x03) throw new Error("not compressed");
  curve.ProjectivePoint.fromHex(key).assertValidity();
};

export const KEY_TYPES: Record<string, KeyType> = {
  ed25519: { prefix: [0xed, 0x01], length: 32, assertPoint: (k) => ed25519.ExtendedPoint.fromHex(k).assertValidity() },
  x25519: { prefix: [0xec, 0x01], length: 32 },
  secp256k1: { prefix: [0xe7, 0x01], length: 33, assertPoint: compressed(secp256k1) },
  p256: { prefix: [0x80, 0x24], length: 33, assertPoint: compressed(p256) },
};

/** Checks `publicKey` against `type` in the order of the §6 messages; returns the raw key bytes. */
export function parseExternalKey(type: string, publicKey: string): Uint8Array {
  const spec = Object.hasOwn(KEY_TYPES, type) ? KEY_TYPES[type] : undefined;
  if (!spec) throw invalidPublicKey("Unsupported key type");
  if (!publicKey.startsWith("z")) throw invalidPublicKey("Public key must be multibase base58btc (z…)");
  let bytes: Uint8Array;
  try {
    bytes = base58btc.baseDecode(publicKey.slice(1));
  } catch {
    throw invalidPublicKey("Invalid base58 encoding");
  }
  // fewer than prefix + one key byte: nothing to compare
  if (bytes.length < 3) throw invalidPublicKey("Key too short");
  if (bytes[0] !== spec.prefix[0] || bytes[1] !== spec.prefix[1]) throw invalidPublicKey("Multicodec prefix does not match type");
  const key = bytes.slice(2);
  if (key.length !== spec.length) throw invalidPublicKey(`Invalid key length: expected ${spec.length} bytes, got ${key.length}`);
  if (spec.assertPoint) {
    try {
      spec.assertPoint(key);
    } catch {
      throw invalidPublicKey("Not a valid curve point");
    }
  }
  return key;
}
