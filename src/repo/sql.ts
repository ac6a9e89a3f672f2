// The bun:sqlite connection behind a drizzle handle: the hot paths use cached prepared statements directly.
import type { Database as SqliteDatabase } from "bun:sqlite";
import type { Orm } from "../db/database.ts";

/** `tx.orm` → the writer connection (inside the transaction); `db.orm` → the WAL reader. */
export function sqliteOf(orm: Orm): SqliteDatabase {
  return (orm as unknown as { $client: SqliteDatabase }).$client;
}
