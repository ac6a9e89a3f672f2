// Migration 4: repo storage (blocks, roots, records index) and the sequencer's event log.
import type { Migration } from "../db/migrations/index.ts";

export const REPO_MIGRATION: Migration = {
  id: 4,
  name: "repo_storage_and_events",
  sqlite: [
    // WITHOUT ROWID: blocks are read by (did, cid) and scanned by did, so cluster on that key.
    `CREATE TABLE repo_blocks (
      did TEXT NOT NULL,
      cid BLOB NOT NULL,
      bytes BLOB NOT NULL,
      rev TEXT NOT NULL,
      PRIMARY KEY (did, cid)
    ) WITHOUT ROWID`,
    `CREATE INDEX repo_blocks_did_rev ON repo_blocks (did, rev)`,
    `CREATE TABLE repo_roots (
      did TEXT PRIMARY KEY NOT NULL,
      commit_cid TEXT NOT NULL,
      rev TEXT NOT NULL,
      data_cid TEXT,
      updated_at TEXT NOT NULL
    )`,
    `CREATE TABLE records (
      did TEXT NOT NULL,
      collection TEXT NOT NULL,
      rkey TEXT NOT NULL,
      cid TEXT NOT NULL,
      value TEXT NOT NULL,
      validation_status TEXT NOT NULL,
      indexed_at TEXT NOT NULL,
      PRIMARY KEY (did, collection, rkey)
    ) WITHOUT ROWID`,
    `CREATE INDEX records_did_cid ON records (did, cid)`,
    // seq is a rowid alias assigned explicitly as max+1 in the writing transaction (no AUTOINCREMENT).
    `CREATE TABLE repo_events (
      seq INTEGER PRIMARY KEY NOT NULL,
      did TEXT NOT NULL,
      type TEXT NOT NULL,
      body BLOB NOT NULL,
      created_at TEXT NOT NULL
    )`,
    `CREATE INDEX repo_events_created_at ON repo_events (created_at)`,
  ],
};
