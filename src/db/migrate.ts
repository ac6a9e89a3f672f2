// Applies the embedded migrations by id on either engine, inside one transaction each; refuses a newer schema.
import { SchemaTooNewError } from "./database.ts";
import type { Migration } from "./migrations/index.ts";

/** What the runner needs of an engine: run statements, and run a function inside one transaction. */
export interface MigrationTarget {
  exec(sql: string): Promise<void>;
  appliedIds(): Promise<number[]>;
  /** statements, then the _migrations row, atomically */
  apply(m: Migration, record: { id: number; name: string; appliedAt: string }): Promise<void>;
}

export const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS _migrations (
  id INTEGER PRIMARY KEY NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL)`;

export async function runMigrations(target: MigrationTarget, migrations: readonly Migration[]): Promise<void> {
  await target.exec(MIGRATIONS_TABLE);
  const sorted = [...migrations].sort((a, b) => a.id - b.id);
  const applied = new Set(await target.appliedIds());
  const current = Math.max(0, ...applied);
  const supported = Math.max(0, ...sorted.map((m) => m.id));
  if (current > supported) throw new SchemaTooNewError(current, supported);
  // by id, not "above the highest": ids are reserved per domain ahead of time, so a lower id may land after a
  // higher one, and a database that already has the higher one must still get it
  for (const m of sorted) {
    if (applied.has(m.id)) continue;
    await target.apply(m, { id: m.id, name: m.name, appliedAt: new Date().toISOString() });
  }
}
