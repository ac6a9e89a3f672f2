// keys rewrap (09 §6): re-encrypt every stored key and installation secret from the old KEY_ENCRYPTION_SECRET to the
// current one, in one transaction, after every ciphertext has been opened with the old secret (else nothing changes).
import type { Database, Raw } from "../db/database.ts";
import { deriveKek, INSTALLATION_SALT_META_KEY, KeyDecryptionError, openWithKek, sealWithKek, type KeyPurpose } from "../identity/keys.ts";
import { metaValue } from "./data-set.ts";

export type RewrapErrorName = "WrongOldSecret" | "AlreadyRewrapped" | "SameSecret" | "NoKeys";

export class RewrapError extends Error {
  constructor(message: string, readonly errorName: RewrapErrorName) {
    super(message);
    this.name = "RewrapError";
  }
}

/** Every column that holds a KeyVault ciphertext: identity_keys (keys and the app-password pepper) and the tombstone outbox. */
interface Wrapped {
  table: "identity_keys" | "plc_tombstone_outbox";
  did: string;
  purpose: string;
  ciphertext: Uint8Array;
}

async function wrappedRows(raw: Raw): Promise<Wrapped[]> {
  const keys = await raw.all<{ did: string; purpose: string; ciphertext: Uint8Array }>("SELECT did, purpose, ciphertext FROM identity_keys ORDER BY did, purpose");
  const outbox = await raw.all<{ did: string; recovery_key: Uint8Array }>("SELECT did, recovery_key FROM plc_tombstone_outbox ORDER BY did");
  return [
    ...keys.map((k) => ({ table: "identity_keys" as const, did: k.did, purpose: k.purpose, ciphertext: k.ciphertext })),
    ...outbox.map((o) => ({ table: "plc_tombstone_outbox" as const, did: o.did, purpose: "identity.recovery-key", ciphertext: o.recovery_key })),
  ];
}

function opensAll(kek: Buffer, rows: Wrapped[]): Array<Uint8Array> | undefined {
  try {
    return rows.map((r) => openWithKek(kek, r.purpose, r.did, r.ciphertext));
  } catch (err) {
    if (err instanceof KeyDecryptionError) return undefined;
    throw err;
  }
}

export interface RewrapResult {
  identityKeys: number;
  tombstoneOutbox: number;
}

/** `db` is the data set's database, with no server running on it (the caller holds its lock). The salt is kept (02 §8). */
export async function rewrapKeys(db: Database, oldSecret: string, currentSecret: string): Promise<RewrapResult> {
  if (oldSecret === currentSecret) throw new RewrapError("the old secret is the current KEY_ENCRYPTION_SECRET: nothing to rewrap", "SameSecret");
  const saltHex = await metaValue(db.raw, INSTALLATION_SALT_META_KEY);
  const rows = await wrappedRows(db.raw);
  if (!saltHex || rows.length === 0) throw new RewrapError("this data set holds no encrypted keys yet: nothing to rewrap", "NoKeys");
  const salt = Buffer.from(saltHex, "hex");
  const [oldKek, newKek] = await Promise.all([deriveKek(oldSecret, salt), deriveKek(currentSecret, salt)]);
  const plain = opensAll(oldKek, rows);
  if (!plain) {
    if (opensAll(newKek, rows)) throw new RewrapError("the stored keys already decrypt with the current KEY_ENCRYPTION_SECRET: nothing to rewrap", "AlreadyRewrapped");
    throw new RewrapError("the old secret does not decrypt the stored keys; nothing was changed\nPass the KEY_ENCRYPTION_SECRET this data set was encrypted with in --old-secret-file", "WrongOldSecret");
  }
  const sealed = rows.map((r, i) => sealWithKek(newKek, r.purpose as KeyPurpose, r.did, plain[i]!));
  // One transaction: a crash leaves every key under the old secret or every key under the new one, never a mix.
  // Each UPDATE names the ciphertext it read, so a row that changed meanwhile aborts everything.
  await db.transaction(async (tx) => {
    for (const [i, r] of rows.entries()) {
      const changed =
        r.table === "identity_keys"
          ? await tx.raw.run("UPDATE identity_keys SET ciphertext = ? WHERE did = ? AND purpose = ? AND ciphertext = ?", [sealed[i]!, r.did, r.purpose, r.ciphertext])
          : await tx.raw.run("UPDATE plc_tombstone_outbox SET recovery_key = ? WHERE did = ? AND recovery_key = ?", [sealed[i]!, r.did, r.ciphertext]);
      if (changed !== 1) throw new Error(`${r.table} row for ${r.did} changed during the rewrap; nothing was changed`);
    }
  });
  return { identityKeys: rows.filter((r) => r.table === "identity_keys").length, tombstoneOutbox: rows.filter((r) => r.table === "plc_tombstone_outbox").length };
}
