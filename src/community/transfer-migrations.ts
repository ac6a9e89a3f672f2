// Migration 7: community transfers (source side) and imports (destination side), spec 04 §8.
import type { Migration } from "../db/migrations/index.ts";

export const COMMUNITY_TRANSFER_MIGRATION: Migration = {
  id: 7,
  name: "community_transfers",
  sqlite: [
    `CREATE TABLE community_transfers (
      id TEXT PRIMARY KEY NOT NULL,
      community_did TEXT NOT NULL,
      token_hash TEXT NOT NULL,
      status TEXT NOT NULL,
      destination TEXT NOT NULL,
      dest_handle TEXT NOT NULL,
      dest_signing_key TEXT NOT NULL,
      import_id TEXT NOT NULL,
      root_cid TEXT NOT NULL,
      rev TEXT NOT NULL,
      plc_operation TEXT,
      downloads INTEGER NOT NULL,
      created_by TEXT NOT NULL,
      created_at TEXT NOT NULL,
      expires_at TEXT NOT NULL,
      resolved_at TEXT
    )`,
    `CREATE INDEX community_transfers_did ON community_transfers (community_did, status)`,
    `CREATE UNIQUE INDEX community_transfers_token ON community_transfers (token_hash)`,
    `CREATE TABLE community_imports (
      id TEXT PRIMARY KEY NOT NULL,
      community_did TEXT NOT NULL,
      name TEXT NOT NULL,
      source_pds TEXT NOT NULL,
      status TEXT NOT NULL,
      created_by TEXT NOT NULL,
      created_at TEXT NOT NULL,
      expires_at TEXT NOT NULL,
      root_cid TEXT,
      completed_at TEXT
    )`,
    `CREATE INDEX community_imports_did ON community_imports (community_did)`,
  ],
};
