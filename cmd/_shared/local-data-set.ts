// The data set of a local operation that must not run beside a server: the lock held, the database opened read-write.
import { existsSync } from "node:fs";
import type { Config } from "../../src/config/types.ts";
import type { Database } from "../../src/db/database.ts";
import { acquireDataDirLock, type DataDirLock } from "../../src/db/lock.ts";
import { openConfiguredDatabase } from "../../src/migrations.ts";
import { dbPathOf } from "../../src/operator/data-set.ts";
import { CliError, EXIT } from "./errors.ts";

/**
 * Runs `fn` with the data-set lock held (a running server → DataDirLockedError, exit 1) and the configured database
 * open (SQLite under the data dir, or PostgreSQL). A SQLite data dir without a database is refused before the lock
 * would create anything in it.
 */
export async function withLockedDataSet<T>(config: Pick<Config, "dataDir" | "database" | "clusterMode">, fn: (db: Database) => Promise<T>): Promise<T> {
  const { dataDir } = config;
  if (!config.database && !existsSync(dbPathOf(dataDir))) throw new CliError(`no database in ${dataDir}: run \`ofpds init\` (or start the server once) first`, EXIT.notFound, "NoDatabase");
  const lock: DataDirLock = acquireDataDirLock(dataDir);
  try {
    const db = await openConfiguredDatabase(config);
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  } finally {
    lock.release();
  }
}
