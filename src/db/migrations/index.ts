// The migration shape the database layer runs (embedded TypeScript, so it lives inside the binary), and its own table.
export interface Migration {
  id: number;
  name: string;
  /** statements run in one transaction */
  sqlite: string[];
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
