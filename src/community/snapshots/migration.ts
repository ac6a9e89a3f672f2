// Migration 14: export schedules and their snapshots (spec 06 §10).
import type { Migration } from "../../db/migrations/index.ts";

export const EXPORT_SNAPSHOTS_MIGRATION: Migration = {
  id: 14,
  name: "export_schedules",
  sqlite: [
    `CREATE TABLE export_schedules (
      id TEXT PRIMARY KEY NOT NULL,
      community_did TEXT NOT NULL,
      export_interval TEXT NOT NULL,
      retention_count INTEGER NOT NULL,
      enabled INTEGER NOT NULL,
      last_export_at TEXT,
      last_attempt_at TEXT,
      last_status TEXT,
      last_error TEXT,
      next_run_at TEXT NOT NULL,
      created_at TEXT NOT NULL,
      created_by TEXT NOT NULL,
      updated_at TEXT NOT NULL
    )`,
    // one schedule per community: createExportSchedule upserts on it
    `CREATE UNIQUE INDEX export_schedules_community ON export_schedules(community_did)`,
    `CREATE INDEX export_schedules_due ON export_schedules(enabled, next_run_at)`,
    `CREATE INDEX export_schedules_created ON export_schedules(created_at, id)`,
    `CREATE TABLE export_snapshots (
      id TEXT PRIMARY KEY NOT NULL,
      community_did TEXT NOT NULL,
      storage_key TEXT NOT NULL,
      size_bytes INTEGER NOT NULL,
      root_cid TEXT NOT NULL,
      rev TEXT NOT NULL,
      sha256 TEXT NOT NULL,
      created_at TEXT NOT NULL
    )`,
    `CREATE UNIQUE INDEX export_snapshots_key ON export_snapshots(storage_key)`,
    `CREATE INDEX export_snapshots_community ON export_snapshots(community_did, created_at, id)`,
  ],
};
