// The OAuth key material (11 §9.3): the ES256 signing key, the DPoP nonce secret and the CSRF key, encrypted at rest (02 §8).
import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from "jose";
import type { Database } from "../db/database.ts";
import type { KeyPurpose, KeyVault } from "../identity/keys.ts";
import { identityKeys } from "../identity/schema.ts";

export interface OAuthKeys {
  signingKey: CryptoKey;
  /** the public JWK served by /oauth/jwks, with its kid (RFC 7638 thumbprint) */
  publicJwk: JWK & { kid: string };
  verifyKey: CryptoKey;
  nonceSecret: Buffer;
  csrfKey: Buffer;
}

/**
 * Loads (or creates on first start) one secret per purpose, subject = the service DID. The insert is conditional and
 * the row re-read in the same transaction, so two first starts on one data directory end with one key each.
 */
async function loadOrCreate(db: Database, keys: Pick<KeyVault, "encrypt" | "decrypt">, serviceDid: string, purpose: KeyPurpose, make: () => Promise<Uint8Array>, now: () => number): Promise<Buffer> {
  const where = and(eq(identityKeys.did, serviceDid), eq(identityKeys.purpose, purpose));
  let row = await db.orm.select({ ciphertext: identityKeys.ciphertext }).from(identityKeys).where(where).get();
  if (!row) {
    const ciphertext = Buffer.from(keys.encrypt(purpose, serviceDid, await make()));
    row = await db.transaction(async (tx) => {
      await tx.orm.insert(identityKeys).values({ did: serviceDid, purpose, ciphertext, createdAt: new Date(now()).toISOString() }).onConflictDoNothing().run();
      return tx.orm.select({ ciphertext: identityKeys.ciphertext }).from(identityKeys).where(where).get();
    });
  }
  return Buffer.from(keys.decrypt(purpose, serviceDid, row!.ciphertext));
}

export async function loadOAuthKeys(deps: { db: Database; keys: Pick<KeyVault, "encrypt" | "decrypt">; serviceDid: string; now: () => number }): Promise<OAuthKeys> {
  const { db, keys, serviceDid, now } = deps;
  const signing = await loadOrCreate(db, keys, serviceDid, "oauth.signing-key", async () => {
    const { privateKey } = await generateKeyPair("ES256", { extractable: true });
    return new TextEncoder().encode(JSON.stringify(await exportJWK(privateKey)));
  }, now);
  const privateJwk = JSON.parse(signing.toString("utf8")) as JWK;
  const { d: _d, ...pub } = privateJwk;
  const kid = await calculateJwkThumbprint(pub, "sha256");
  const publicJwk = { kty: pub.kty!, crv: pub.crv!, x: pub.x!, y: pub.y!, kid, alg: "ES256", use: "sig" };
  return {
    signingKey: (await importJWK(privateJwk, "ES256")) as CryptoKey,
    verifyKey: (await importJWK(pub, "ES256")) as CryptoKey,
    publicJwk,
    nonceSecret: await loadOrCreate(db, keys, serviceDid, "oauth.dpop-nonce", async () => randomBytes(32), now),
    csrfKey: await loadOrCreate(db, keys, serviceDid, "oauth.csrf", async () => randomBytes(32), now),
  };
}
