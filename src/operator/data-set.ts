// A data set's server database for local operator commands: the SQLite file (read without writing, or copied), or
// the configured PostgreSQL database, read through the portable Raw contract.
import { sqliteRaw } from "../db/sqlite-database.ts";
import { Database as SqliteDatabase } from "bun:sqlite";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config/types.ts";
import type { Dialect, Raw } from "../db/database.ts";
import { openDatabase } from "../migrations.ts";

export const DB_FILE = "ofpds.sqlite";

export const dbPathOf = (dataDir: string) => join(dataDir, DB_FILE);

/**
 * Opens the database file without writing to it. Why not `readonly: true` alone: a WAL database whose -shm file is
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


/** A read-only look at a data set's database (doctor): no lock taken, nothing written on SQLite. */
export interface DataSetLook {
  readonly dialect: Dialect;
  /** the SQLite path or the redacted PostgreSQL URL */
  readonly location: string;
  readonly raw: Raw;
  /** SQLite's journal mode (the server switches it to WAL); undefined on PostgreSQL */
  readonly journalMode: string | undefined;
  close(): Promise<void>;
}

/**
 * undefined when a SQLite data set has no database file yet. On PostgreSQL this is the configured database, opened
 * without migrating (doctor never changes a schema under a running server); a server that cannot be reached throws.
 */
export async function openDataSetLook(config: Pick<Config, "dataDir" | "database" | "clusterMode">): Promise<DataSetLook | undefined> {
  if (config.database) {
    const db = await openDatabase({ database: config.database, migrate: false });
    return { dialect: db.dialect, location: db.location, raw: db.raw, journalMode: undefined, close: () => db.close() };
  }
  const conn = openDataSetDb(config.dataDir);
  if (!conn) return undefined;
  let journalMode: string | undefined;
  try {
    journalMode = String(conn.query<{ journal_mode: string }, []>("PRAGMA journal_mode").get()?.journal_mode ?? "");
  } catch {
    journalMode = "";
  }
  return { dialect: "sqlite", location: dbPathOf(config.dataDir), raw: sqliteRaw(conn), journalMode, close: async () => conn.close() };
}

/** max(_migrations.id), 0 for a database that has none. */
export async function schemaVersionOf(raw: Raw): Promise<number> {
  try {
    return Number((await raw.get<{ v: number | null }>("SELECT max(id) AS v FROM _migrations"))?.v ?? 0);
  } catch {
    return 0;
  }
}

export async function metaValue(raw: Raw, key: string): Promise<string | undefined> {
  try {
    return (await raw.get<{ value: string }>("SELECT value FROM server_meta WHERE key = ?", [key]))?.value;
  } catch {
    return undefined;
  }
}
