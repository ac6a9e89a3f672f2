// The durable PLC tombstone outbox (02 §4): table and migration 13. A row is written in the deletion's own transaction.
import { blob, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { Migration } from "../db/migrations/index.ts";

/**
 * One row per DID awaiting its `plc_tombstone`. `recoveryKey` is the identity_keys ciphertext of the DID's
 * recovery key, moved here by the deletion (the KeyVault AAD binds it to the DID and purpose, not to the table):
 * the key exists only in this row from then on and is gone when the row is.
 */
export const plcTombstoneOutbox = sqliteTable("plc_tombstone_outbox", {
  did: text("did").primaryKey(),
  /** what was deleted: `account` (deletion), `rejected` (account.reject) or `community` */
  subject: text("subject").notNull(),
  recoveryKey: blob("recovery_key", { mode: "buffer" }).notNull(),
  createdAt: text("created_at").notNull(),
  attempts: integer("attempts").notNull(),
  /** server-clock milliseconds; the worker takes rows whose time has come */
  nextAttemptAt: integer("next_attempt_at").notNull(),
  lastError: text("last_error"),
});

export const PLC_TOMBSTONE_OUTBOX_MIGRATION: Migration = {
  id: 13,
  name: "plc_tombstone_outbox",
  sqlite: [
    `CREATE TABLE plc_tombstone_outbox (
      did TEXT PRIMARY KEY NOT NULL,
      subject TEXT NOT NULL,
      recovery_key BLOB NOT NULL,
      created_at TEXT NOT NULL,
      attempts INTEGER NOT NULL,
      next_attempt_at INTEGER NOT NULL,
      last_error TEXT
    )`,
    `CREATE INDEX plc_tombstone_outbox_due ON plc_tombstone_outbox (next_attempt_at)`,
  ],
};
