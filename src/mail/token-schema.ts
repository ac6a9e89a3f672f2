// drizzle table of the email tokens (10 §5.2) and migration 20 (the table and accounts.email_confirmed_at).
import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { Migration } from "../db/migrations/index.ts";

/** One live token per (account, purpose); only its SHA-256 is stored. */
export const emailTokens = sqliteTable("email_tokens", {
  did: text("did").notNull(),
  purpose: text("purpose").notNull(),
  tokenHash: text("token_hash").notNull(),
  /** epoch ms (server clock) */
  expiresAt: integer("expires_at").notNull(),
  /** wrong tokens tried against this account and purpose; the token is deleted at 5 */
  attempts: integer("attempts").notNull(),
  createdAt: text("created_at").notNull(),
}, (t) => [primaryKey({ columns: [t.did, t.purpose] })]);

export const EMAIL_TOKENS_MIGRATION: Migration = {
  id: 20,
  name: "email_tokens",
  sqlite: [
    `CREATE TABLE email_tokens (
      did TEXT NOT NULL,
      purpose TEXT NOT NULL,
      token_hash TEXT NOT NULL,
      expires_at INTEGER NOT NULL,
      attempts INTEGER NOT NULL,
      created_at TEXT NOT NULL,
      PRIMARY KEY (did, purpose)
    ) WITHOUT ROWID`,
    // resetPassword names only the token: it is found by its hash
    `CREATE INDEX email_tokens_hash ON email_tokens (token_hash)`,
    `ALTER TABLE accounts ADD COLUMN email_confirmed_at TEXT`,
  ],
};
