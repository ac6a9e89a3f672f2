// Migration 11: the external_keys projection (spec 06 §6) that resolveByKey and the purpose filter read.
import type { Migration } from "../db/migrations/index.ts";

export const EXTERNAL_KEYS_MIGRATION: Migration = {
  id: 11,
  name: "external_keys",
  sqlite: [
    `CREATE TABLE external_keys (
      did TEXT NOT NULL,
      rkey TEXT NOT NULL,
      cid TEXT NOT NULL,
      type TEXT NOT NULL,
      purpose TEXT NOT NULL,
      public_key TEXT NOT NULL,
      label TEXT,
      created_at TEXT NOT NULL,
      PRIMARY KEY (did, rkey)
    ) WITHOUT ROWID`,
    `CREATE INDEX external_keys_public_key ON external_keys (public_key, created_at)`,
  ],
};
