// The Database façade: drizzle over bun:sqlite, migrations, serialised write transactions, after-commit hooks.
import type { Database as SqliteDatabase } from "bun:sqlite";
import { drizzle, type BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import { join } from "node:path";
import { openSqlite } from "./sqlite.ts";
import type { Migration } from "./migrations/index.ts";
import * as schema from "./schema.ts";
import { Mutex } from "../util/mutex.ts";

export type Orm = BunSQLiteDatabase<typeof schema>;

export class SchemaTooNewError extends Error {
  constructor(readonly found: number, readonly supported: number) {
    super(`the database schema (version ${found}) is newer than this ofpds binary supports (version ${supported}); upgrade ofpds`);
    this.name = "SchemaTooNewError";
  }
}

/** What a transaction callback receives: the write-side ORM plus a hook registry. */
export interface Tx {
  orm: Orm;
  /** run after COMMIT succeeds (e.g. wake firehose subscribers); never after a rollback */
  afterCommit(fn: () => void): void;
}

export class Database {
  readonly dialect = "sqlite" as const;
  /** read-side ORM; WAL gives it a consistent snapshot that never sees uncommitted writes */
  readonly orm: Orm;
  private readonly writer: SqliteDatabase;
  private readonly reader: SqliteDatabase;
  private readonly writerOrm: Orm;
  private readonly writeLock = new Mutex();
  private closed = false;

  private constructor(readonly path: string) {
    this.writer = openSqlite(path);
    this.reader = openSqlite(path);
    this.writerOrm = drizzle(this.writer, { schema });
    this.orm = drizzle(this.reader, { schema });
  }

  /**
   * Opens `<dataDir>/ofpds.sqlite` (or an explicit path) and runs the pending ones of `migrations` (the list is
   * composed at the root, src/migrations.ts; this layer knows no domain).
   */
  static open(opts: { dataDir?: string; path?: string; migrations: readonly Migration[] }): Database {
    const path = opts.path ?? join(opts.dataDir!, "ofpds.sqlite");
    const db = new Database(path);
    try {
      db.migrate([...opts.migrations].sort((a, b) => a.id - b.id));
    } catch (err) {
      db.close();
      throw err;
    }
    return db;
  }

  /** Current schema version recorded in the database (0 when empty). */
  schemaVersion(): number {
    const row = this.writer
      .query<{ v: number | null }, []>("SELECT max(id) AS v FROM _migrations")
      .get();
    return row?.v ?? 0;
  }

  private migrate(migrations: Migration[]): void {
    this.writer.exec(`CREATE TABLE IF NOT EXISTS _migrations (
      id INTEGER PRIMARY KEY NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
    const current = this.schemaVersion();
    const supported = Math.max(0, ...migrations.map((m) => m.id));
    if (current > supported) throw new SchemaTooNewError(current, supported);
    // by id, not "above the highest": ids are reserved per domain ahead of time, so a lower id may land after a
    // higher one, and a database that already has the higher one must still get it
    const applied = new Set(this.writer.query<{ id: number }, []>("SELECT id FROM _migrations").all().map((r) => r.id));
    for (const m of migrations) {
      if (applied.has(m.id)) continue;
      this.writer.transaction(() => {
        for (const stmt of m.sqlite) this.writer.exec(stmt);
        this.writer
          .query("INSERT INTO _migrations (id, name, applied_at) VALUES (?, ?, ?)")
          .run(m.id, m.name, new Date().toISOString());
      }).immediate();
    }
  }

  /**
   * Runs fn inside one write transaction. Why the mutex: SQLite has a single writer, and the
   * callback may await (e.g. @atproto/repo signing), so two callbacks interleaving on one
   * connection would share a transaction. Serialising them keeps each commit atomic.
   */
  transaction<T>(fn: (tx: Tx) => Promise<T> | T): Promise<T> {
    return this.writeLock.run(async () => {
      const hooks: Array<() => void> = [];
      this.writer.exec("BEGIN IMMEDIATE");
      let result: T;
      try {
        result = await fn({ orm: this.writerOrm, afterCommit: (h) => hooks.push(h) });
        this.writer.exec("COMMIT");
      } catch (err) {
        if (this.writer.inTransaction) this.writer.exec("ROLLBACK");
        throw err;
      }
      for (const hook of hooks) {
        try {
          hook();
        } catch {
          // A failing hook must not turn a committed change into an error for the caller.
        }
      }
      return result;
    });
  }

  /** True when `SELECT 1` answers; used by /xrpc/_health. */
  ping(): boolean {
    if (this.closed) return false;
    try {
      return this.reader.query<{ ok: number }, []>("SELECT 1 AS ok").get()?.ok === 1;
    } catch {
      return false;
    }
  }

  /** Waits for the running write transaction, checkpoints the WAL and closes both connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.writeLock.run(() => undefined);
    this.closed = true;
    try {
      this.writer.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch {
      // best effort: the WAL is replayed on the next open anyway
    }
    this.reader.close();
    this.writer.close();
  }
}
