// The SQLite engine: drizzle over bun:sqlite, a WAL reader beside one serialised writer, after-commit hooks.
import type { Database as SqliteConnection } from "bun:sqlite";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { join } from "node:path";
import { openSqlite } from "./sqlite.ts";
import type { Database, Orm, Raw, ReadSnapshot, Tx } from "./database.ts";
import type { Migration } from "./migrations/index.ts";
import { runMigrations } from "./migrate.ts";
import * as schema from "./schema.ts";
import { Mutex } from "../util/mutex.ts";

/** Raw SQL on one bun:sqlite connection (the server's, or a data set's file opened by an operator command); `query()` caches the prepared statement per SQL text. */
export function sqliteRaw(conn: SqliteConnection): Raw {
  type P = import("bun:sqlite").SQLQueryBindings[];
  return {
    async all<T>(sql: string, params: readonly unknown[] = []) {
      return conn.query(sql).all(...(params as P)) as T[];
    },
    async get<T>(sql: string, params: readonly unknown[] = []) {
      return (conn.query(sql).get(...(params as P)) ?? undefined) as T | undefined;
    },
    async run(sql: string, params: readonly unknown[] = []) {
      return conn.query(sql).run(...(params as P)).changes;
    },
    async runMany(sql: string, rows: readonly (readonly unknown[])[]) {
      const stmt = conn.query(sql);
      let n = 0;
      for (const row of rows) n += stmt.run(...(row as P)).changes;
      return n;
    },
  };
}

export class SqliteDatabase implements Database {
  readonly dialect = "sqlite" as const;
  readonly orm: Orm;
  readonly raw: Raw;
  private readonly writer: SqliteConnection;
  private readonly reader: SqliteConnection;
  private readonly writerOrm: Orm;
  private readonly writerRaw: Raw;
  private readonly writeLock = new Mutex();
  private readonly listeners = new Channels();
  private closed = false;

  private constructor(readonly path: string) {
    this.writer = openSqlite(path);
    this.reader = openSqlite(path);
    // bun:sqlite's drizzle returns values synchronously where the Orm type promises them; `await` accepts both
    this.writerOrm = drizzle(this.writer, { schema }) as unknown as Orm;
    this.orm = drizzle(this.reader, { schema }) as unknown as Orm;
    this.raw = sqliteRaw(this.reader);
    this.writerRaw = sqliteRaw(this.writer);
  }

  get location(): string {
    return this.path;
  }

  /**
   * Opens `<dataDir>/ofpds.sqlite` (or an explicit path) and runs the pending ones of `migrations` (the list is
   * composed at the root, src/migrations.ts; this layer knows no domain).
   */
  static async open(opts: { dataDir?: string; path?: string; migrations: readonly Migration[] }): Promise<SqliteDatabase> {
    const path = opts.path ?? join(opts.dataDir!, "ofpds.sqlite");
    const db = new SqliteDatabase(path);
    try {
      await db.migrate(opts.migrations);
    } catch (err) {
      await db.close();
      throw err;
    }
    return db;
  }

  async schemaVersion(): Promise<number> {
    return this.writer.query<{ v: number | null }, []>("SELECT max(id) AS v FROM _migrations").get()?.v ?? 0;
  }

  private migrate(migrations: readonly Migration[]): Promise<void> {
    const w = this.writer;
    return runMigrations({
      async exec(sql) {
        w.exec(sql);
      },
      async appliedIds() {
        return w.query<{ id: number }, []>("SELECT id FROM _migrations").all().map((r) => r.id);
      },
      async apply(m, rec) {
        w.transaction(() => {
          for (const stmt of m.sqlite) w.exec(stmt);
          w.query("INSERT INTO _migrations (id, name, applied_at) VALUES (?, ?, ?)").run(rec.id, rec.name, rec.appliedAt);
        }).immediate();
      },
    }, migrations);
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
        result = await fn({
          dialect: "sqlite",
          orm: this.writerOrm,
          raw: this.writerRaw,
          afterCommit: (h) => hooks.push(h),
          // one process is the only writer: the write lock already orders every append
          lockSequence: async () => {},
          notify: async (channel, payload) => void hooks.push(() => this.listeners.deliver(channel, payload)),
        });
        this.writer.exec("COMMIT");
      } catch (err) {
        if (this.writer.inTransaction) this.writer.exec("ROLLBACK");
        throw err;
      }
      runHooks(hooks);
      return result;
    });
  }

  async snapshot(): Promise<ReadSnapshot> {
    // a private read-only connection: its deferred BEGIN takes the WAL snapshot at the first read
    const conn = openSqlite(this.path, { readonly: true });
    conn.exec("BEGIN");
    let open = true;
    return {
      raw: sqliteRaw(conn),
      release: async () => {
        if (!open) return;
        open = false;
        conn.exec("COMMIT");
        conn.close();
      },
    };
  }

  async listen(channel: string, fn: (payload: string) => void): Promise<() => void> {
    return this.listeners.add(channel, fn);
  }

  async ping(): Promise<boolean> {
    return !this.closed && pingRaw(this.raw);
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

/** In-process listeners per channel (both engines deliver this process's own notifications through one). */
export class Channels {
  private readonly map = new Map<string, Set<(payload: string) => void>>();
  has(channel: string): boolean {
    return this.map.has(channel);
  }
  add(channel: string, fn: (payload: string) => void): () => void {
    let set = this.map.get(channel);
    if (!set) this.map.set(channel, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }
  deliver(channel: string, payload: string): void {
    for (const fn of this.map.get(channel) ?? []) {
      try {
        fn(payload);
      } catch {
        // a listener's failure is its own
      }
    }
  }
}

/** True when `SELECT 1` answers on this connection (/xrpc/_health). */
export async function pingRaw(raw: Raw): Promise<boolean> {
  try {
    return (await raw.get<{ ok: number }>("SELECT 1 AS ok"))?.ok === 1;
  } catch {
    return false;
  }
}

/** After-commit hooks: a failing hook must not turn a committed change into an error for the caller. */
export function runHooks(hooks: ReadonlyArray<() => void>): void {
  for (const hook of hooks) {
    try {
      hook();
    } catch {
      // see above
    }
  }
}
