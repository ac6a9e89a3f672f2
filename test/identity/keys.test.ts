// KeyVault: AES-256-GCM wrap format, AAD binding, tamper detection, wrong-secret refusal, one-time KEK derivation.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { Secp256k1Keypair } from "@atproto/crypto";
import { ConfigError } from "../../src/config/errors.ts";
import { serverMeta } from "../../src/db/schema.ts";
import { KeyDecryptionError, KeyVault, WRONG_SECRET_MESSAGE } from "../../src/identity/keys.ts";
import { identityKeys } from "../../src/identity/schema.ts";
import { openDb, SECRET } from "./_support.ts";

const SERVICE_DID = "did:web:pds.test.example";
const ALICE = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa";
const BOB = "did:plc:bbbbbbbbbbbbbbbbbbbbbbbb";

describe("KeyVault", () => {
  let env: Awaited<ReturnType<typeof openDb>>;
  let vault: KeyVault;

  beforeAll(async () => {
    env = await openDb();
    vault = await KeyVault.open(env.db, SECRET, { serviceDid: SERVICE_DID });
  });
  afterAll(() => env.cleanup());

  test("open stores a 32-byte installation salt and the service signing key", async () => {
    const salt = await env.db.orm.select().from(serverMeta).where(eq(serverMeta.key, "installation_salt")).get();
    expect(Buffer.from(salt!.value, "hex").length).toBe(32);
    const rows = await env.db.orm.select().from(identityKeys).where(eq(identityKeys.purpose, "service.signing-key")).all();
    expect(rows.map((r) => r.did)).toEqual([SERVICE_DID]);
    const key = await vault.serviceKeypair();
    expect(key.did()).toStartWith("did:key:zQ3s");
  });

  test("round trip: OFK1 ‖ IV ‖ ciphertext ‖ tag, decrypts to the same keypair", async () => {
    const kp = await Secp256k1Keypair.create({ exportable: true });
    const raw = await kp.export();
    const blob = vault.encrypt("identity.signing-key", ALICE, raw);
    expect(new TextDecoder().decode(blob.subarray(0, 4))).toBe("OFK1");
    expect(blob.length).toBe(4 + 12 + raw.length + 16);
    expect(Buffer.from(blob).includes(Buffer.from(raw))).toBe(false);
    expect(vault.decrypt("identity.signing-key", ALICE, blob)).toEqual(raw);
    const back = await vault.decryptKeypair("identity.signing-key", ALICE, blob);
    expect(back.did()).toBe(kp.did());
    // exportable, and served from the cache the second time
    expect(await back.export()).toEqual(raw);
    expect(await vault.decryptKeypair("identity.signing-key", ALICE, blob)).toBe(back);
    // a fresh IV every time
    expect(Buffer.from(vault.encrypt("identity.signing-key", ALICE, raw)).equals(Buffer.from(blob))).toBe(false);
  });

  test("tampering with any byte, or another subject or purpose, fails to decrypt", async () => {
    const raw = await (await Secp256k1Keypair.create({ exportable: true })).export();
    const blob = vault.encrypt("identity.recovery-key", ALICE, raw);
    for (const i of [0, 4, 10, 16, 30, blob.length - 17, blob.length - 1]) {
      const bad = blob.slice();
      bad[i]! ^= 0x01;
      expect(() => vault.decrypt("identity.recovery-key", ALICE, bad)).toThrow(KeyDecryptionError);
      await expect(vault.decryptKeypair("identity.recovery-key", ALICE, bad)).rejects.toThrow(KeyDecryptionError);
    }
    expect(() => vault.decrypt("identity.recovery-key", BOB, blob)).toThrow(KeyDecryptionError);
    expect(() => vault.decrypt("identity.signing-key", ALICE, blob)).toThrow(KeyDecryptionError);
    expect(() => vault.decrypt("identity.recovery-key", ALICE, blob.subarray(0, 20))).toThrow(KeyDecryptionError);
    await expect(vault.decryptKeypair("identity.recovery-key", BOB, blob)).rejects.toThrow(KeyDecryptionError);
  });

  test("reopening with the same secret keeps the salt and service key and decrypts old ciphertexts", async () => {
    const raw = await (await Secp256k1Keypair.create({ exportable: true })).export();
    const blob = vault.encrypt("identity.signing-key", BOB, raw);
    const again = await KeyVault.open(env.db, SECRET, { serviceDid: SERVICE_DID });
    expect(again.decrypt("identity.signing-key", BOB, blob)).toEqual(raw);
    expect((await again.serviceKeypair()).did()).toBe((await vault.serviceKeypair()).did());
  });

  test("a different secret on an existing data directory → ConfigError", async () => {
    const err = await KeyVault.open(env.db, "x".repeat(48), { serviceDid: SERVICE_DID }).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([WRONG_SECRET_MESSAGE]);
    // and it did not add a service key of its own
    expect(await env.db.orm.select().from(identityKeys).where(eq(identityKeys.purpose, "service.signing-key")).all()).toHaveLength(1);
  });

  test("one service key per installation: a changed service DID keeps it", async () => {
    const other = await KeyVault.open(env.db, SECRET, { serviceDid: "did:web:pds.test.example%3A8443" });
    expect((await other.serviceKeypair()).did()).toBe((await vault.serviceKeypair()).did());
    expect(await env.db.orm.select().from(identityKeys).where(eq(identityKeys.purpose, "service.signing-key")).all()).toHaveLength(1);
  });
});
