// The portable dump: one JSON-lines file per table (a row per line; BLOB columns as {"$bytes": base64}), and its loader.
import type { Database as SqliteDatabase } from "bun:sqlite";
import { createWriteStream, readFileSync } from "node:fs";
import { once } from "node:events";
import { join } from "node:path";
import type { Raw, Tx } from "../../db/database.ts";

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

export function decodeValue(v: unknown): unknown {
  if (v && typeof v === "object" && typeof (v as { $bytes?: unknown }).$bytes === "string") return Buffer.from((v as { $bytes: string }).$bytes, "base64");
  return v;
}

/**
 * PostgreSQL: every application table of the current schema (without _migrations), sorted as the SQLite dump is
 * (byte order), and which of them carry the `rowid` identity column src/db/pg-dialect.ts adds.
 */
export async function pgDumpedTables(raw: Raw): Promise<{ tables: string[]; withRowid: Set<string> }> {
  const rows = await raw.all<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> '_migrations'",
  );
  const cols = await raw.all<{ name: string }>("SELECT table_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'rowid'");
  return { tables: rows.map((r) => r.name).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), withRowid: new Set(cols.map((c) => c.name)) };
}

const PAGE = 500;

/**
 * The dump through the Database contract (PostgreSQL; `raw` is a read snapshot, so every table is read as of one
 * moment). Tables with the PostgreSQL-only `rowid` are paged by it, in insertion order, and the column is left out.
 */
export async function dumpTablesRaw(raw: Raw, dir: string, tables: string[], withRowid: Set<string>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const out = createWriteStream(join(dir, `${table}.jsonl`), { mode: 0o600 });
    let n = 0;
    const write = async (row: Record<string, unknown>) => {
      const enc: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(row)) if (!(k === "rowid" && withRowid.has(table))) enc[k] = encodeValue(v);
      if (!out.write(JSON.stringify(enc) + "\n")) await once(out, "drain");
      n++;
    };
    if (withRowid.has(table)) {
      let after = -1;
      for (;;) {
        const page = await raw.all<Record<string, unknown>>(`SELECT * FROM ${quote(table)} WHERE rowid > ? ORDER BY rowid LIMIT ${PAGE}`, [after]);
        for (const row of page) await write(row);
        if (page.length < PAGE) break;
        after = Number(page[page.length - 1]!.rowid);
      }
    } else {
      for (const row of await raw.all<Record<string, unknown>>(`SELECT * FROM ${quote(table)}`)) await write(row);
    }
    out.end();
    await once(out, "close");
    counts[table] = n;
  }
  return counts;
}

/**
 * PostgreSQL: the tables in foreign-key dependency order (a referenced table before the tables referencing it), from
 * pg_constraint; ties by name.
 */
export async function pgLoadOrder(raw: Raw, tables: string[]): Promise<string[]> {
  const edges = await raw.all<{ child: string; parent: string }>(
    "SELECT cl.relname AS child, pl.relname AS parent FROM pg_constraint c JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_class pl ON pl.oid = c.confrelid WHERE c.contype = 'f' AND cl.relnamespace = current_schema()::regnamespace",
  );
  const deps = new Map<string, Set<string>>(tables.map((t) => [t, new Set<string>()]));
  for (const e of edges) if (e.child !== e.parent && deps.has(e.child) && deps.has(e.parent)) deps.get(e.child)!.add(e.parent);
  const order: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (t: string) => {
    if (state.get(t) === "done") return;
    if (state.get(t) === "visiting") throw new Error(`foreign keys form a cycle through ${t}`);
    state.set(t, "visiting");
    for (const p of [...deps.get(t)!].sort()) visit(p);
    state.set(t, "done");
    order.push(t);
  };
  for (const t of [...tables].sort()) visit(t);
  return order;
}

/**
 * Inserts the dump's rows through a transaction of the Database contract (PostgreSQL), tables in `order` (foreign-key
 * dependency order: constraints stay on). Rows a migration seeded are deleted first (children before parents).
 */
export async function loadTablesTx(tx: Tx, dir: string, order: string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of [...order].reverse()) await tx.raw.run(`DELETE FROM ${quote(table)}`);
  for (const table of order) {
    const text = readFileSync(join(dir, `${table}.jsonl`), "utf8");
    const batches = new Map<string, unknown[][]>();
    let n = 0;
    const flush = async (key: string) => {
      const rows = batches.get(key);
      if (!rows?.length) return;
      const cols = key.split("\u0000");
      await tx.raw.runMany(`INSERT INTO ${quote(table)} (${cols.map(quote).join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`, rows);
      batches.set(key, []);
    };
    let lastKey: string | undefined;
    for (const line of text.split("\n")) {
      if (!line) continue;
      const row = JSON.parse(line) as Record<string, unknown>;
      const cols = Object.keys(row);
      const key = cols.join("\u0000");
      // keep the dump's row order (the rowid identity numbers rows in insertion order): flush when the shape changes
      if (lastKey !== undefined && key !== lastKey) await flush(lastKey);
      lastKey = key;
      const batch = batches.get(key) ?? [];
      batch.push(cols.map((c) => decodeValue(row[c])));
      batches.set(key, batch);
      if (batch.length >= PAGE) await flush(key);
      n++;
    }
    if (lastKey !== undefined) await flush(lastKey);
    counts[table] = n;
  }
  return counts;
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
