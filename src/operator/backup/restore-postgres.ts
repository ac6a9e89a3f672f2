// backup restore into PostgreSQL: the empty-target check, the load in foreign-key order, and the rowid sequences.
import type { Raw } from "../../db/database.ts";
import { MIGRATIONS, openDatabase, type OpenOptions } from "../../migrations.ts";
import { loadTablesTx, pgDumpedTables, pgLoadOrder } from "./dump.ts";
import type { BackupManifest } from "./manifest.ts";
import { RestoreError } from "./restore-errors.ts";

export type PgConn = NonNullable<OpenOptions["database"]>;

/** A PostgreSQL target holds no ofpds data yet: no _migrations rows (the table may not even exist). */
export async function pgIsEmpty(database: PgConn): Promise<{ empty: boolean; location: string }> {
  const db = await openDatabase({ database, migrate: false });
  try {
    const has = await db.raw.get("SELECT 1 AS x FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '_migrations'");
    const rows = has ? Number((await db.raw.get<{ n: number }>("SELECT count(*) AS n FROM _migrations"))?.n ?? 0) : 0;
    return { empty: rows === 0, location: db.location };
  } finally {
    await db.close();
  }
}

/**
 * PostgreSQL: the backup's migrations on the empty database, the rows in one transaction in foreign-key order
 * (constraints stay on), row counts checked inside it. A failed load drops the tables this restore created, so the
 * database is empty again and the restore can be retried.
 */
export async function rebuildPostgres(database: PgConn, m: BackupManifest, tablesDir: string): Promise<Record<string, number>> {
  const at = new Set(m.migrations);
  const { PostgresDatabase } = await import("../../db/postgres.ts");
  const before = await openDatabase({ database, migrate: false });
  let existing: Set<string>;
  let existingMigrationsTable = false;
  try {
    existing = new Set((await pgDumpedTables(before.raw)).tables);
    existingMigrationsTable = Boolean(await before.raw.get("SELECT 1 AS x FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '_migrations'"));
  } finally {
    await before.close();
  }
  const db = await PostgresDatabase.open({ ...database, cluster: false, migrations: MIGRATIONS.filter((x) => at.has(x.id)) });
  try {
    const { tables } = await pgDumpedTables(db.raw);
    const missing = Object.keys(m.tables).filter((t) => !tables.includes(t));
    if (missing.length) throw new RestoreError(`the table dump cannot be loaded: the backup's schema has no table ${missing.join(", ")}`, "BackupCorrupt");
    const order = await pgLoadOrder(db.raw, Object.keys(m.tables));
    try {
      return await db.transaction(async (tx) => {
        const counts = await loadTablesTx(tx, tablesDir, order);
        for (const [t, n] of Object.entries(m.tables)) {
          if (counts[t] !== n) throw new RestoreError(`checksum error: tables/${t}.jsonl holds ${counts[t]} rows, the manifest says ${n}`, "BackupCorrupt");
        }
        return counts;
      });
    } catch (err) {
      if (err instanceof RestoreError) throw err;
      throw new RestoreError(`the table dump cannot be loaded: ${(err as Error).message}`, "BackupCorrupt");
    }
  } catch (err) {
    // back to empty: drop what this restore created (its migrations), nothing that was there before
    const created = (await pgDumpedTables(db.raw)).tables.filter((t) => !existing.has(t));
    if (created.length) await db.raw.run(`DROP TABLE IF EXISTS ${created.map((t) => `"${t}"`).join(", ")} CASCADE`).catch(() => 0);
    // _migrations was empty (or absent) before: empty it again (or drop it)
    await db.raw.run(existingMigrationsTable ? "DELETE FROM _migrations" : "DROP TABLE IF EXISTS _migrations").catch(() => 0);
    throw err;
  } finally {
    await db.close();
  }
}

/** PostgreSQL: every `rowid` identity continues above the highest restored rowid. */
export async function resetRowidSequences(raw: Raw): Promise<void> {
  for (const t of (await pgDumpedTables(raw)).withRowid) {
    await raw.get(`SELECT setval(pg_get_serial_sequence('"${t}"', 'rowid'), m) FROM (SELECT max(rowid) AS m FROM "${t}") x WHERE m IS NOT NULL`);
  }
}
