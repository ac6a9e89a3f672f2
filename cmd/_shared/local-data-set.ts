// The data set of a local operation that must not run beside a server: the lock held, the database opened read-write.
import type { Database as SqliteDatabase } from "bun:sqlite";
import { existsSync } from "node:fs";
import { acquireDataDirLock, type DataDirLock } from "../../src/db/lock.ts";
import { openSqlite } from "../../src/db/sqlite.ts";
import { dbPathOf } from "../../src/operator/data-set.ts";
import { CliError, EXIT } from "./errors.ts";

/**
 * Runs `fn` with the data-set lock held (a running server → DataDirLockedError, exit 1) and the database open.
 * A data dir without a database is refused before the lock would create anything in it.
 */
export async function withLockedDataSet<T>(dataDir: string, fn: (db: SqliteDatabase) => Promise<T>): Promise<T> {
  if (!existsSync(dbPathOf(dataDir))) throw new CliError(`no database in ${dataDir}: run \`ofpds init\` (or start the server once) first`, EXIT.notFound, "NoDatabase");
  const lock: DataDirLock = acquireDataDirLock(dataDir);
  try {
    const db = openSqlite(dbPathOf(dataDir));
    try {
      return await fn(db);
    } finally {
      db.close();
    }
  } finally {
    lock.release();
  }
}
