// Migration 10: partner API keys (spec 06 §7); the per-key hourly window is counted on accounts.partner_key_id.
import type { Migration } from "../db/migrations/index.ts";

export const PARTNER_MIGRATION: Migration = {
  id: 10,
  name: "partner_keys",
  sqlite: [
    `CREATE TABLE partner_keys (
      id TEXT PRIMARY KEY NOT NULL,
      key_hash TEXT NOT NULL,
      key_prefix TEXT NOT NULL,
      name TEXT NOT NULL,
      partner_name TEXT NOT NULL,
      permissions TEXT NOT NULL,
      allowed_origins TEXT NOT NULL,
      rate_limit_per_hour INTEGER NOT NULL,
      status TEXT NOT NULL,
      last_used_at TEXT,
      total_registrations INTEGER NOT NULL DEFAULT 0,
      created_at TEXT NOT NULL,
      created_by TEXT NOT NULL,
      revoked_at TEXT,
      revoked_by TEXT
    )`,
    `CREATE UNIQUE INDEX partner_keys_hash ON partner_keys(key_hash)`,
    `CREATE INDEX partner_keys_created ON partner_keys(created_at, id)`,
    // the per-key limit counts a key's accounts created in the trailing hour (06 §7, §11)
    `CREATE INDEX accounts_partner_created ON accounts(partner_key_id, created_at) WHERE partner_key_id IS NOT NULL`,
  ],
};
