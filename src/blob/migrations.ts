// Migration 5: blob metadata (one row per stored blob of a repo) and the record → blob reference index.
import type { Migration } from "../db/migrations/index.ts";

export const BLOB_MIGRATION: Migration = {
  id: 5,
  name: "blobs",
  sqlite: [
    // One row per (repo, blob): identical bytes uploaded twice to one repo share a row and a file.
    `CREATE TABLE blobs (
      did TEXT NOT NULL,
      cid TEXT NOT NULL,
      mime TEXT NOT NULL,
      size INTEGER NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('temporary', 'permanent')),
      created_at TEXT NOT NULL,
      PRIMARY KEY (did, cid)
    ) WITHOUT ROWID`,
    `CREATE INDEX blobs_status_created ON blobs (status, created_at)`,
    // Which records reference which blobs. `rev` is the commit that wrote the reference (listBlobs `since`).
    // A row without a matching blobs row is an "expected" blob (importRepo) that listMissingBlobs reports.
    `CREATE TABLE record_blobs (
      did TEXT NOT NULL,
      record_uri TEXT NOT NULL,
      cid TEXT NOT NULL,
      rev TEXT NOT NULL,
      PRIMARY KEY (did, record_uri, cid)
    ) WITHOUT ROWID`,
    `CREATE INDEX record_blobs_did_cid ON record_blobs (did, cid)`,
    `CREATE INDEX record_blobs_did_rev ON record_blobs (did, rev)`,
  ],
};
