// Read-only access to a data directory's SQLite database for local operator commands (doctor, backup).
import { Database as SqliteDatabase } from "bun:sqlite";
import { existsSync } from "node:fs";
import { join } from "node:path";

export const DB_FILE = "ofpds.sqlite";

export const dbPathOf = (dataDir: string) => join(dataDir, DB_FILE);

/**
 * Opens the database without writing to it. Why not `readonly: true` alone: a WAL database whose -shm file is
 * gone (a cleanly stopped server) cannot be opened read-only, so a read-write handle that never writes is the
 * fallback; neither takes the data-set lock, so a running server is not disturbed.
 */
export function openDataSetDb(dataDir: string): SqliteDatabase | undefined {
  const path = dbPathOf(dataDir);
  if (!existsSync(path)) return undefined;
  try {
    const db = new SqliteDatabase(path, { readonly: true });
    db.query("SELECT 1").get();
    db.exec("PRAGMA busy_timeout = 5000");
    return db;
  } catch {
    const db = new SqliteDatabase(path, { readwrite: true, create: false });
    db.exec("PRAGMA busy_timeout = 5000");
    return db;
  }
}

/** max(_migrations.id), 0 for a database that has none. */
export function schemaVersionOf(db: SqliteDatabase): number {
  try {
    return db.query<{ v: number | null }, []>("SELECT max(id) AS v FROM _migrations").get()?.v ?? 0;
  } catch {
    return 0;
  }
}

export function metaValue(db: SqliteDatabase, key: string): string | undefined {
  try {
    return db.query<{ value: string }, [string]>("SELECT value FROM server_meta WHERE key = ?").get(key)?.value;
  } catch {
    return undefined;
  }
}
