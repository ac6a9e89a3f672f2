// KeyVault: the installation salt, the scrypt-derived KEK, AES-256-GCM key wrapping and the service key (spec 02 §8).
import { createCipheriv, createDecipheriv, randomBytes, scrypt } from "node:crypto";
import { desc, eq } from "drizzle-orm";
import { Secp256k1Keypair } from "@atproto/crypto";
import type { Database } from "../db/database.ts";
import { serverMeta } from "../db/schema.ts";
import { ConfigError } from "../config/errors.ts";
import { identityKeys } from "./schema.ts";
import { TtlLruCache } from "./ttl-cache.ts";

export type KeyPurpose = "identity.signing-key" | "identity.recovery-key" | "service.signing-key" | "auth.app-password-pepper" | "oauth.signing-key" | "oauth.dpop-nonce" | "oauth.csrf";
export const KEY_PURPOSES: readonly KeyPurpose[] = ["identity.signing-key", "identity.recovery-key", "service.signing-key", "auth.app-password-pepper", "oauth.signing-key", "oauth.dpop-nonce", "oauth.csrf"];

const MAGIC = new TextEncoder().encode("OFK1");
const IV_BYTES = 12;
const TAG_BYTES = 16;
const SALT_META_KEY = "installation_salt";
/** scrypt parameters fixed by the spec; N·r·128 = 32 MiB, so node's default maxmem (32 MiB) is raised. */
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const CACHE_TTL_MS = 10 * 60_000;
const CACHE_MAX = 1000;

export const WRONG_SECRET_MESSAGE = "KEY_ENCRYPTION_SECRET does not match this data directory";

/** A ciphertext that is malformed, tampered with, or bound to another subject/purpose/secret. Carries no detail. */
export class KeyDecryptionError extends Error {
  constructor() {
    super("encrypted key could not be decrypted");
    this.name = "KeyDecryptionError";
  }
}

const aad = (purpose: KeyPurpose, subjectDid: string) => Buffer.from(`ofpds:key-wrap:v1:${purpose}:${subjectDid}`, "utf8");

export function deriveKek(secret: string, salt: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, 32, SCRYPT, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** The KeyVault wrap with an explicit KEK: `keys rewrap` unwraps with the old secret's KEK and seals with the new one's. */
export function sealWithKek(kek: Buffer, purpose: KeyPurpose, subjectDid: string, privateKeyBytes: Uint8Array): Uint8Array {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", kek, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(purpose, subjectDid));
  const ct = Buffer.concat([cipher.update(privateKeyBytes), cipher.final()]);
  const out = new Uint8Array(MAGIC.length + IV_BYTES + ct.length + TAG_BYTES);
  out.set(MAGIC, 0);
  out.set(iv, MAGIC.length);
  out.set(ct, MAGIC.length + IV_BYTES);
  out.set(cipher.getAuthTag(), MAGIC.length + IV_BYTES + ct.length);
  return out;
}

/** Unwraps with an explicit KEK (doctor's self-test, rewrap); throws KeyDecryptionError on any mismatch. */
export function openWithKek(kek: Buffer, purpose: KeyPurpose | string, subjectDid: string, blob: Uint8Array): Uint8Array {
  if (blob.length < MAGIC.length + IV_BYTES + TAG_BYTES + 1 || MAGIC.some((b, i) => blob[i] !== b)) throw new KeyDecryptionError();
  const iv = blob.subarray(MAGIC.length, MAGIC.length + IV_BYTES);
  const ct = blob.subarray(MAGIC.length + IV_BYTES, blob.length - TAG_BYTES);
  const tag = blob.subarray(blob.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv("aes-256-gcm", kek, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(purpose as KeyPurpose, subjectDid));
    decipher.setAuthTag(tag);
    return new Uint8Array(Buffer.concat([decipher.update(ct), decipher.final()]));
  } catch {
    throw new KeyDecryptionError();
  }
}

/** The server_meta key of the installation salt (read without creating it by doctor and rewrap). */
export const INSTALLATION_SALT_META_KEY = SALT_META_KEY;

export class KeyVault {
  private readonly cache = new TtlLruCache<string, Secp256k1Keypair>(CACHE_MAX, CACHE_TTL_MS);

  private constructor(
    private readonly db: Database,
    private readonly kek: Buffer,
  ) {}

  /**
   * Ensures the installation salt, derives the KEK (the only slow step: scrypt runs once per process), self-tests
   * it against a stored key and, given `opts.serviceDid`, creates the installation's service signing key if missing.
   * A secret that cannot decrypt the stored keys → ConfigError (the CLI exits 78).
   */
  static async open(db: Database, keyEncryptionSecret: string, opts: { serviceDid?: string } = {}): Promise<KeyVault> {
    const salt = await ensureSalt(db);
    const vault = new KeyVault(db, await deriveKek(keyEncryptionSecret, salt));
    await vault.selfTest();
    if (opts.serviceDid) await vault.ensureServiceKey(opts.serviceDid);
    return vault;
  }

  /** OFK1 ‖ 12-byte IV ‖ AES-256-GCM ciphertext ‖ 16-byte tag; AAD binds purpose and subject. */
  encrypt(purpose: KeyPurpose, subjectDid: string, privateKeyBytes: Uint8Array): Uint8Array {
    return sealWithKek(this.kek, purpose, subjectDid, privateKeyBytes);
  }

  /** The raw private key bytes; throws KeyDecryptionError on any mismatch. */
  decrypt(purpose: KeyPurpose, subjectDid: string, blob: Uint8Array): Uint8Array {
    return openWithKek(this.kek, purpose, subjectDid, blob);
  }

  /** Decrypts and imports an (exportable) secp256k1 keypair, cached 10 min / 1000 entries (LRU). */
  async decryptKeypair(purpose: KeyPurpose, subjectDid: string, blob: Uint8Array): Promise<Secp256k1Keypair> {
    // Keyed by the ciphertext too, so a tampered or replaced blob never hits a stale entry.
    const cacheKey = `${purpose}\u0000${subjectDid}\u0000${Buffer.from(blob).toString("base64")}`;
    const hit = this.cache.get(cacheKey);
    if (hit) return hit;
    const keypair = await Secp256k1Keypair.import(this.decrypt(purpose, subjectDid, blob), { exportable: true });
    this.cache.set(cacheKey, keypair);
    return keypair;
  }

  /** Generates a fresh exportable secp256k1 keypair and its wrap for (purpose, subject). */
  async generate(purpose: KeyPurpose, subjectDid: string): Promise<{ keypair: Secp256k1Keypair; ciphertext: Uint8Array }> {
    const keypair = await Secp256k1Keypair.create({ exportable: true });
    return { keypair, ciphertext: this.encrypt(purpose, subjectDid, await keypair.export()) };
  }

  /**
   * The service signing key (`#atproto` of the service DID document). There is one per installation: it stays
   * bound (AAD) to the service DID it was created for, and is kept when PDS_HOSTNAME or the port later changes.
   */
  async serviceKeypair(): Promise<Secp256k1Keypair> {
    const row = await this.db.orm
      .select()
      .from(identityKeys)
      .where(eq(identityKeys.purpose, "service.signing-key"))
      .orderBy(identityKeys.createdAt)
      .limit(1)
      .get();
    if (!row) throw new Error("no service signing key: open the KeyVault with a serviceDid first");
    return this.decryptKeypair("service.signing-key", row.did, row.ciphertext);
  }

  /** Decrypt the newest stored key (a service key when there is one); a wrong secret fails here, at startup. */
  private async selfTest(): Promise<void> {
    const pick = (purpose?: KeyPurpose) =>
      this.db.orm
        .select()
        .from(identityKeys)
        .where(purpose ? eq(identityKeys.purpose, purpose) : undefined)
        .orderBy(desc(identityKeys.createdAt))
        .limit(1)
        .get();
    const row = (await pick("service.signing-key")) ?? (await pick());
    if (!row) return;
    try {
      this.decrypt(row.purpose as KeyPurpose, row.did, row.ciphertext);
    } catch {
      throw new ConfigError([WRONG_SECRET_MESSAGE]);
    }
  }

  private async ensureServiceKey(serviceDid: string): Promise<void> {
    const find = (orm: Database["orm"]) =>
      orm.select({ did: identityKeys.did }).from(identityKeys).where(eq(identityKeys.purpose, "service.signing-key")).get();
    if (await find(this.db.orm)) return;
    const { ciphertext } = await this.generate("service.signing-key", serviceDid);
    // Re-checked under the writer lock, so `init` and a first start can never leave two service keys.
    await this.db.transaction(async (tx) => {
      if (await find(tx.orm)) return;
      await tx.orm
        .insert(identityKeys)
        .values({ did: serviceDid, purpose: "service.signing-key", ciphertext: Buffer.from(ciphertext), createdAt: new Date().toISOString() })
        .run();
    });
  }
}

/** The 32-byte installation salt, created on first use and never changed (rewrap keeps it). */
async function ensureSalt(db: Database): Promise<Uint8Array> {
  return db.transaction(async (tx) => {
    await tx.orm
      .insert(serverMeta)
      .values({ key: SALT_META_KEY, value: randomBytes(32).toString("hex"), updatedAt: new Date().toISOString() })
      .onConflictDoNothing()
      .run();
    const row = await tx.orm.select().from(serverMeta).where(eq(serverMeta.key, SALT_META_KEY)).get();
    const salt = Buffer.from(row!.value, "hex");
    if (salt.length !== 32) throw new ConfigError([`server_meta.${SALT_META_KEY} is corrupt (expected 32 bytes of hex)`]);
    return new Uint8Array(salt);
  });
}
