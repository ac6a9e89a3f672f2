// The migration shape the database layer runs (embedded TypeScript, so it lives inside the binary), and its own table.
export interface Migration {
  id: number;
  name: string;
  /** statements run in one transaction */
  sqlite: string[];
  /** PostgreSQL statements, when the mechanical translation of `sqlite` (src/db/pg-dialect.ts) is not right */
  postgres?: string[];
}

/** The database layer's own table; every other migration belongs to a domain and is listed in src/migrations.ts. */
export const SERVER_META_MIGRATION: Migration = {
  id: 1,
  name: "server_meta",
  sqlite: [
    `CREATE TABLE server_meta (
      key TEXT PRIMARY KEY NOT NULL,
      value TEXT NOT NULL,
      updated_at TEXT NOT NULL
    )`,
  ],
};

/** Cross-process state for cluster mode (src/db/shared-state.ts): fixed-window counters and single-use marks. */
export const SHARED_STATE_MIGRATION: Migration = {
  id: 22,
  name: "shared_state",
  sqlite: [
    `CREATE TABLE shared_windows (
      key TEXT PRIMARY KEY NOT NULL,
      count INTEGER NOT NULL,
      reset_at INTEGER NOT NULL
    ) WITHOUT ROWID`,
    `CREATE INDEX shared_windows_reset ON shared_windows(reset_at)`,
    `CREATE TABLE shared_marks (
      key TEXT PRIMARY KEY NOT NULL,
      expires_at INTEGER NOT NULL
    ) WITHOUT ROWID`,
    `CREATE INDEX shared_marks_expires ON shared_marks(expires_at)`,
  ],
};
