// Opens a bun:sqlite database with the pragmas every ofpds store uses (WAL, NORMAL sync, busy timeout).
import { Database as SqliteDatabase } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";

export const BUSY_TIMEOUT_MS = 5000;

export function openSqlite(path: string, opts: { readonly?: boolean } = {}): SqliteDatabase {
  if (path !== ":memory:" && !opts.readonly) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const db = new SqliteDatabase(path, opts.readonly ? { readonly: true } : { create: true, readwrite: true, strict: true });
  db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  if (!opts.readonly) {
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    db.exec("PRAGMA foreign_keys = ON");
  }
  return db;
}
