// The portable dump: one JSON-lines file per table (a row per line; BLOB columns as {"$bytes": base64}), and its loader.
import type { Database as SqliteDatabase } from "bun:sqlite";
import { createWriteStream, readFileSync } from "node:fs";
import { once } from "node:events";
import { join } from "node:path";

/** Every table of the dump: the application's tables, without SQLite's own and without _migrations (schemaVersion says it). */
export function dumpedTables(db: SqliteDatabase): string[] {
  return db
    .query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_migrations' ORDER BY name")
    .all()
    .map((r) => r.name);
}

const quote = (ident: string) => `"${ident.replace(/"/g, '""')}"`;

function encodeValue(v: unknown): unknown {
  if (v instanceof Uint8Array) return { $bytes: Buffer.from(v).toString("base64") };
  if (typeof v === "bigint") return Number(v);
  return v;
}

function decodeValue(v: unknown): unknown {
  if (v && typeof v === "object" && typeof (v as { $bytes?: unknown }).$bytes === "string") return Buffer.from((v as { $bytes: string }).$bytes, "base64");
  return v;
}

/** Writes `<dir>/<table>.jsonl` for each table; returns the row counts. */
export async function dumpTables(db: SqliteDatabase, dir: string, tables: string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const out = createWriteStream(join(dir, `${table}.jsonl`), { mode: 0o600 });
    let n = 0;
    for (const row of db.query<Record<string, unknown>, []>(`SELECT * FROM ${quote(table)}`).iterate()) {
      const enc: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(row)) enc[k] = encodeValue(v);
      if (!out.write(JSON.stringify(enc) + "\n")) await once(out, "drain");
      n++;
    }
    out.end();
    await once(out, "close");
    counts[table] = n;
  }
  return counts;
}

/**
 * Inserts the dump's rows into an empty database of the same schema version, in one transaction, with foreign keys
 * off (tables load in name order, not dependency order). Returns the row counts loaded.
 */
export function loadTables(db: SqliteDatabase, dir: string, tables: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  db.exec("PRAGMA foreign_keys = OFF");
  db.transaction(() => {
    for (const table of tables) {
      // the dump is the table's whole content at that schema version (a migration that seeded rows must not collide)
      db.exec(`DELETE FROM ${quote(table)}`);
      const text = readFileSync(join(dir, `${table}.jsonl`), "utf8");
      let n = 0;
      const stmts = new Map<string, ReturnType<SqliteDatabase["query"]>>();
      for (const line of text.split("\n")) {
        if (!line) continue;
        const row = JSON.parse(line) as Record<string, unknown>;
        const cols = Object.keys(row);
        const key = cols.join("\u0000");
        let stmt = stmts.get(key);
        if (!stmt) {
          stmt = db.query(`INSERT INTO ${quote(table)} (${cols.map(quote).join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`);
          stmts.set(key, stmt);
        }
        stmt.run(...(cols.map((c) => decodeValue(row[c])) as never[]));
        n++;
      }
      counts[table] = n;
    }
  })();
  return counts;
}
