// ServiceAuthVerifier unit tests: claim rules, replay cache, per-iss limit, fresh re-resolution after key rotation.
import { describe, expect, test } from "bun:test";
import { Secp256k1Keypair } from "@atproto/crypto";
import type { DomainError } from "../errors.ts";
import { httpStatusOf } from "../xrpc/errors.ts";
import { mintServiceAuth, ServiceAuthVerifier } from "./service-auth.ts";
import type { DidDocument } from "./plc-client.ts";

const SERVICE = "did:web:pds.example.com";
const LXM = "com.atproto.server.createAccount";
const ISS = "did:plc:abcdefghijklmnopqrstuvwx";

function docFor(key: Secp256k1Keypair): DidDocument {
  return { id: ISS, verificationMethod: [{ id: `${ISS}#atproto`, type: "Multikey", controller: ISS, publicKeyMultibase: key.did().slice("did:key:".length) }] };
}

async function fails(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return `${httpStatusOf(err as DomainError)} ${(err as DomainError).error}`;
  }
  return "ok";
}

describe("ServiceAuthVerifier", () => {
  test("accepts a valid token once; claims rules → 401 InvalidToken", async () => {
    const key = await Secp256k1Keypair.create();
    const v = new ServiceAuthVerifier({ plc: { getDocument: async () => docFor(key) }, serviceDid: SERVICE });
    const now = Math.floor(Date.now() / 1000);
    const good = await mintServiceAuth(key, { iss: `${ISS}#atproto_pds`, aud: SERVICE, exp: now + 60, lxm: LXM });
    expect((await v.verify(good, LXM)).iss).toBe(ISS);
    expect(await fails(v.verify(good, LXM))).toBe("401 InvalidToken");
    for (const claims of [
      { iss: ISS, aud: "did:web:other", exp: now + 60, lxm: LXM },
      { iss: ISS, aud: SERVICE, exp: now + 60, lxm: "com.atproto.repo.createRecord" },
      { iss: ISS, aud: SERVICE, exp: now + 3700, lxm: LXM },
      { iss: ISS, aud: SERVICE, exp: now - 1, lxm: LXM },
    ]) {
      expect(await fails(v.verify(await mintServiceAuth(key, claims), LXM))).toBe("401 InvalidToken");
    }
    expect(await fails(v.verify("a.b.c", LXM))).toBe("401 InvalidToken");
  });

  test("re-resolves without the cache once when the signature does not match (key rotation)", async () => {
    const oldKey = await Secp256k1Keypair.create();
    const newKey = await Secp256k1Keypair.create();
    const calls: boolean[] = [];
    const v = new ServiceAuthVerifier({ plc: { getDocument: async (_d, o) => (calls.push(!!o?.fresh), docFor(o?.fresh ? newKey : oldKey)) }, serviceDid: SERVICE });
    const t = await mintServiceAuth(newKey, { iss: ISS, aud: SERVICE, exp: Math.floor(Date.now() / 1000) + 60, lxm: LXM });
    await v.verify(t, LXM);
    expect(calls).toEqual([false, true]);
  });

  test("at most 60 tokens per minute per issuer → 429", async () => {
    const key = await Secp256k1Keypair.create();
    const v = new ServiceAuthVerifier({ plc: { getDocument: async () => docFor(key) }, serviceDid: SERVICE });
    const exp = Math.floor(Date.now() / 1000) + 60;
    for (let i = 0; i < 60; i++) await v.verify(await mintServiceAuth(key, { iss: ISS, aud: SERVICE, exp, lxm: LXM }), LXM);
    expect(await fails(v.verify(await mintServiceAuth(key, { iss: ISS, aud: SERVICE, exp, lxm: LXM }), LXM))).toBe("429 RateLimitExceeded");
  });
});
