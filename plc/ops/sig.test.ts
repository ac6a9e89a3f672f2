// Unit tests for strict signature parsing: padding, whitespace, trailing bits, DER, low-S.
import { describe, expect, test } from "bun:test";
import { Secp256k1Keypair } from "@atproto/crypto";
import { secp256k1 } from "@noble/curves/secp256k1";
import { isLowSCompact, looksLikeDer, parseSignature, verifyWithKey, findSignerIndex } from "./sig.ts";

describe("parseSignature", () => {
  const good = Buffer.alloc(64, 1).toString("base64url");
  test("accepts 86 chars of unpadded base64url", () => expect(parseSignature(good)).toHaveLength(64));
  test("rejects padding, whitespace, wrong length, std alphabet, dirty trailing bits", () => {
    expect(parseSignature(good + "==")).toBeNull();
    expect(parseSignature(good + "\n")).toBeNull();
    expect(parseSignature(" " + good.slice(1))).toBeNull();
    expect(parseSignature(good.slice(0, 85))).toBeNull();
    expect(parseSignature(good.replace(/./, "+"))).toBeNull();
    expect(parseSignature(good.slice(0, 85) + "B")).toBeNull(); // "A"->"B" sets a padding bit
  });
  test("rejects a 64-byte DER signature", () => {
    const der = Buffer.from("MD4CHRiHVHmnqoitzAIq5NZXEkmBbtbfayatOLATwgsOAh1OFK0fSdkgNJGXpMkXMumSu0smNfVZPzElCm1jkA", "base64url");
    expect(der.length).toBe(64);
    expect(looksLikeDer(der)).toBe(true);
    expect(parseSignature(der.toString("base64url"))).toBeNull();
  });
});

describe("low-S and verification", () => {
  test("high-S twin of a valid signature fails; the original verifies", async () => {
    const key = await Secp256k1Keypair.create();
    const data = new TextEncoder().encode("hello");
    const sig = await key.sign(data);
    expect(await verifyWithKey(key.did(), data, sig)).toBe(true);
    const n = secp256k1.CURVE.n;
    const s = BigInt("0x" + Buffer.from(sig.subarray(32)).toString("hex"));
    const high = new Uint8Array(64);
    high.set(sig.subarray(0, 32));
    high.set(Buffer.from((n - s).toString(16).padStart(64, "0"), "hex"), 32);
    expect(isLowSCompact(high, "secp256k1")).toBe(false);
    expect(await verifyWithKey(key.did(), data, high)).toBe(false);
  });
  test("findSignerIndex returns the first matching key's index, -1 when none", async () => {
    const [a, b] = [await Secp256k1Keypair.create(), await Secp256k1Keypair.create()];
    const data = new Uint8Array([1, 2, 3]);
    const sig = await b.sign(data);
    expect(await findSignerIndex([a.did(), b.did(), b.did()], data, sig)).toBe(1);
    expect(await findSignerIndex([a.did()], data, sig)).toBe(-1);
    expect(await findSignerIndex(["did:key:zNotAKey"], data, sig)).toBe(-1);
  });
});
