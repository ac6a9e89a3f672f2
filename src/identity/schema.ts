// drizzle table for the identity domain: every server-held private key, encrypted at rest (spec 02 §8).
import { primaryKey, sqliteTable, text, blob } from "drizzle-orm/sqlite-core";

/**
 * One row per (subject DID, purpose). `ciphertext` is the KeyVault wrap (OFK1 ‖ IV ‖ ct ‖ tag) bound to both
 * columns by its AAD, so a row copied to another DID or purpose fails to decrypt.
 */
export const identityKeys = sqliteTable(
  "identity_keys",
  {
    did: text("did").notNull(),
    purpose: text("purpose").notNull(),
    ciphertext: blob("ciphertext", { mode: "buffer" }).notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.did, t.purpose] })],
);
