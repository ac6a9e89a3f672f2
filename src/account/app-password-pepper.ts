// The installation's app-password pepper (10 §4, 02 §2): 32 random bytes, encrypted at rest under purpose auth.app-password-pepper.
import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { Database } from "../db/database.ts";
import type { KeyVault } from "../identity/keys.ts";
import { identityKeys } from "../identity/schema.ts";

const PURPOSE = "auth.app-password-pepper" as const;

/**
 * A loader for the pepper: created on first use, then decrypted once and kept in memory. The insert is
 * conditional and the row re-read in the same transaction, so two first uses (or two processes on one data
 * directory) can never end up hashing with different peppers.
 */
export function appPasswordPepper(deps: { db: Database; keys: Pick<KeyVault, "encrypt" | "decrypt">; serviceDid: string; now: () => number }): () => Promise<Buffer> {
  let cached: Promise<Buffer> | undefined;
  const load = async (): Promise<Buffer> => {
    const { db, keys, serviceDid } = deps;
    const where = and(eq(identityKeys.did, serviceDid), eq(identityKeys.purpose, PURPOSE));
    let row = await db.orm.select({ ciphertext: identityKeys.ciphertext }).from(identityKeys).where(where).get();
    if (!row) {
      const ciphertext = Buffer.from(keys.encrypt(PURPOSE, serviceDid, randomBytes(32)));
      row = await db.transaction(async (tx) => {
        await tx.orm.insert(identityKeys).values({ did: serviceDid, purpose: PURPOSE, ciphertext, createdAt: new Date(deps.now()).toISOString() }).onConflictDoNothing().run();
        return tx.orm.select({ ciphertext: identityKeys.ciphertext }).from(identityKeys).where(where).get();
      });
    }
    return Buffer.from(keys.decrypt(PURPOSE, serviceDid, row!.ciphertext));
  };
  return () => {
    if (cached === undefined) {
      cached = load().catch((err) => {
        cached = undefined; // a failed first load is retried by the next caller
        throw err;
      });
    }
    return cached;
  };
}
