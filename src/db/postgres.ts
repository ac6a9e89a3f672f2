// The PostgreSQL engine: postgres.js under drizzle's async SQLite proxy, serialised writes, cluster locks, LISTEN/NOTIFY.
import postgres from "postgres";
import { drizzle } from "drizzle-orm/sqlite-proxy";
import type { Database, Orm, Raw, ReadSnapshot, Tx, TxOptions } from "./database.ts";
import { DatabaseUnavailableError } from "./database.ts";
import type { Migration } from "./migrations/index.ts";
import { runMigrations } from "./migrate.ts";
import { lockKey, toPgDdl, toPgParams, toPgPlaceholders } from "./pg-dialect.ts";
import { Channels, pingRaw, runHooks } from "./sqlite-database.ts";
import { randomUUID } from "node:crypto";
import * as schema from "./schema.ts";
import { Mutex } from "../util/mutex.ts";

export interface PostgresOptions {
  url: string;
  ssl: boolean;
  sslRejectUnauthorized: boolean;
  poolMax: number;
  /** several serve processes share this database: cross-process write locks (see transaction) */
  cluster: boolean;
  /** how long start-up keeps retrying an unreachable server */
  connectTimeoutMs: number;
}

/** Advisory lock classes (the two-int form; the first int names the purpose). */
const LOCK = { global: 0, repo: 1, owner: 2, jobs: 3, migrate: 4 } as const;
const SEQUENCE_KEY = 1;
/** tags this process's NOTIFY payloads, so its own LISTEN skips what transaction() already delivered */
const PROCESS_TAG = `${randomUUID()}:`;

type Conn = postgres.Sql | postgres.ReservedSql;

/** Postgres errors that mean "the server is gone", not "the statement is wrong". */
function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: string })?.code ?? "";
  return /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|CONNECTION_CLOSED|CONNECTION_ENDED|CONNECTION_DESTROYED|CONNECT_TIMEOUT|57P0[123]|08\w{3})$/.test(code);
}

function wrap(err: unknown): unknown {
  return isConnectionError(err) ? new DatabaseUnavailableError((err as Error).message) : err;
}

/** The redacted `postgres://user@host:port/db` form of a URL: never the password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `postgres://${u.username ? `${decodeURIComponent(u.username)}@` : ""}${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return "postgres://(unparseable DATABASE_URL)";
  }
}

async function exec(conn: Conn, sql: string, params: readonly unknown[], arrays: boolean): Promise<any[]> {
  try {
    const q = conn.unsafe(toPgPlaceholders(sql), toPgParams(params) as postgres.ParameterOrJSON<never>[], { prepare: true });
    return arrays ? await q.values() : await q;
  } catch (err) {
    throw wrap(err);
  }
}

function ormOn(conn: Conn): Orm {
  return drizzle(async (sql, params, method) => {
    const rows = await exec(conn, sql, params, true);
    if (method === "get") return { rows: rows[0] };
    return { rows: method === "run" ? [] : rows };
  }, { schema });
}

function rawOn(conn: Conn): Raw {
  return {
    all: async <T>(sql: string, params: readonly unknown[] = []) => (await exec(conn, sql, params, false)) as T[],
    get: async <T>(sql: string, params: readonly unknown[] = []) => ((await exec(conn, sql, params, false))[0] ?? undefined) as T | undefined,
    async run(sql, params = []) {
      const res = await exec(conn, sql, params, false);
      return (res as unknown as { count: number }).count ?? 0;
    },
    async runMany(sql, rows) {
      // issued together, so postgres.js pipelines them on the connection: one round trip for a commit's blocks, not one each
      const results = await Promise.all(rows.map((row) => exec(conn, sql, row, false)));
      return results.reduce((n, r) => n + ((r as unknown as { count: number }).count ?? 0), 0);
    },
  };
}

export class PostgresDatabase implements Database {
  readonly dialect = "postgres" as const;
  readonly orm: Orm;
  readonly raw: Raw;
  readonly location: string;
  /** one process-wide writer, as on SQLite; cluster mode adds the cross-process advisory locks inside */
  private readonly writeLock = new Mutex();
  private readonly listeners = new Channels();
  private held: postgres.ReservedSql | undefined;
  private closed = false;

  private constructor(private readonly sql: postgres.Sql, private readonly opts: PostgresOptions) {
    this.orm = ormOn(sql);
    this.raw = rawOn(sql);
    this.location = redactUrl(opts.url);
  }

  /** `migrate: false` (doctor): look at the database as it is, never create or upgrade the schema under a server */
  static async open(opts: PostgresOptions & { migrations: readonly Migration[]; migrate?: boolean }): Promise<PostgresDatabase> {
    const sql = postgres(opts.url, {
      max: opts.poolMax,
      ssl: opts.ssl ? { rejectUnauthorized: opts.sslRejectUnauthorized } : false,
      onnotice: () => {},
      connect_timeout: 10,
      // int8 (counts, ids, millisecond times) as JS numbers and booleans as the 0/1 SQLite gives: one row shape for both engines
      types: {
        int8: { to: 20, from: [20], serialize: (x: number) => String(x), parse: (x: string) => Number(x) },
        bool: { to: 16, from: [16], serialize: (x: boolean) => (x ? "t" : "f"), parse: (x: string) => (x === "t" ? 1 : 0) },
      },
    });
    const db = new PostgresDatabase(sql, opts);
    try {
      await db.waitForServer();
      if (opts.migrate !== false) await db.migrate(opts.migrations);
    } catch (err) {
      await sql.end({ timeout: 1 });
      throw err;
    }
    return db;
  }

  /** Start-up: retry an unreachable server for connectTimeoutMs; a refused login or unknown database fails at once. */
  private async waitForServer(): Promise<void> {
    const deadline = Date.now() + this.opts.connectTimeoutMs;
    for (;;) {
      try {
        await this.sql.unsafe("SELECT 1");
        return;
      } catch (err) {
        if (!isConnectionError(err) || Date.now() >= deadline) throw new PostgresConnectError(this.location, err);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private async migrate(migrations: readonly Migration[]): Promise<void> {
    // why a session lock: several cluster processes may start at once; one migrates while the others wait
    const conn = await this.sql.reserve();
    try {
      await conn.unsafe("SELECT pg_advisory_lock($1, 0)", [LOCK.migrate]);
      await runMigrations({
        exec: async (s) => void (await conn.unsafe(toPgDdl(s))),
        appliedIds: async () => (await conn.unsafe("SELECT id FROM _migrations")).map((r) => Number(r.id)),
        apply: async (m, rec) => {
          await conn.unsafe("BEGIN");
          try {
            for (const stmt of m.postgres ?? m.sqlite.map(toPgDdl)) await conn.unsafe(stmt);
            await conn.unsafe("INSERT INTO _migrations (id, name, applied_at) VALUES ($1, $2, $3)", [rec.id, rec.name, rec.appliedAt]);
            await conn.unsafe("COMMIT");
          } catch (err) {
            await conn.unsafe("ROLLBACK").catch(() => {});
            throw err;
          }
        },
      }, migrations);
    } finally {
      await conn.unsafe("SELECT pg_advisory_unlock($1, 0)", [LOCK.migrate]).catch(() => {});
      conn.release();
    }
  }

  async schemaVersion(): Promise<number> {
    return Number((await this.raw.get<{ v: number | null }>("SELECT max(id) AS v FROM _migrations"))?.v ?? 0);
  }

  /**
   * One write transaction on a reserved connection. Why the process mutex: the same single-writer order SQLite gives,
   * which every domain's read-then-write logic was written for. Why the advisory locks in cluster mode: other
   * processes' writers. A transaction without a lockKey takes the global lock exclusively (it may touch anything); a
   * repo write takes it shared plus its DID's lock, so writes to different repos on different processes run side by
   * side, while a global write still sees nothing half-done. Order is always global → repo → sequence: no deadlock.
   */
  transaction<T>(fn: (tx: Tx) => Promise<T> | T, opts: TxOptions = {}): Promise<T> {
    return this.writeLock.run(async () => {
      let conn: postgres.ReservedSql;
      try {
        conn = await this.sql.reserve();
      } catch (err) {
        throw wrap(err);
      }
      const hooks: Array<() => void> = [];
      const notices: Array<[string, string]> = [];
      let sequenced = false;
      try {
        await exec(conn, "BEGIN", [], false);
        if (this.opts.cluster) {
          if (opts.lockKey) {
            await exec(conn, "SELECT pg_advisory_xact_lock_shared(?, 0), pg_advisory_xact_lock(?, ?)", [LOCK.global, LOCK.repo, lockKey(opts.lockKey)], false);
          } else {
            await exec(conn, "SELECT pg_advisory_xact_lock(?, 0)", [LOCK.global], false);
          }
        }
        const tx: Tx = {
          dialect: "postgres",
          orm: ormOn(conn),
          raw: rawOn(conn),
          afterCommit: (h) => hooks.push(h),
          lockSequence: async () => {
            if (sequenced || !this.opts.cluster) return;
            sequenced = true;
            // held to COMMIT: the next appender reads max(seq) only after this one committed, so seqs are gapless in commit order
            await exec(conn, "SELECT pg_advisory_xact_lock(?, ?)", [LOCK.global, SEQUENCE_KEY], false);
          },
          notify: async (channel, payload) => {
            notices.push([channel, payload]);
            // delivered to other processes at COMMIT, never after a rollback
            if (this.opts.cluster) await exec(conn, "SELECT pg_notify(?, ?)", [channel, PROCESS_TAG + payload], false);
          },
        };
        const result = await fn(tx);
        await exec(conn, "COMMIT", [], false);
        conn.release();
        for (const [c, p] of notices) this.listeners.deliver(c, p);
        runHooks(hooks);
        return result;
      } catch (err) {
        await conn.unsafe("ROLLBACK").catch(() => {});
        conn.release();
        throw err;
      }
    });
  }

  async snapshot(): Promise<ReadSnapshot> {
    let conn: postgres.ReservedSql;
    try {
      conn = await this.sql.reserve();
      await conn.unsafe("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    } catch (err) {
      throw wrap(err);
    }
    let open = true;
    return {
      raw: rawOn(conn),
      release: async () => {
        if (!open) return;
        open = false;
        await conn.unsafe("COMMIT").catch(() => {});
        conn.release();
      },
    };
  }

  async listen(channel: string, fn: (payload: string) => void): Promise<() => void> {
    if (!this.listeners.has(channel) && this.opts.cluster) {
      // other processes' commits; our own are delivered by transaction() without the round-trip
      await this.sql.listen(channel, (tagged) => {
        const at = tagged.indexOf(":");
        if (!tagged.startsWith(PROCESS_TAG)) this.listeners.deliver(channel, tagged.slice(at + 1));
      });
    }
    return this.listeners.add(channel, fn);
  }

  /**
   * Holds a session-level advisory lock on its own connection for the life of the process; false when another
   * process holds it. Used for "one server per database" (outside cluster mode) and for the background-job leader.
   */
  async tryHoldLock(purpose: "owner" | "jobs", name: string, mode: "exclusive" | "shared" = "exclusive"): Promise<boolean> {
    const conn = this.held ?? (this.held = await this.sql.reserve());
    const fn = mode === "shared" ? "pg_try_advisory_lock_shared" : "pg_try_advisory_lock";
    const row = await rawOn(conn).get<{ ok: number }>(`SELECT ${fn}(?, ?) AS ok`, [LOCK[purpose], lockKey(name)]);
    return row?.ok === 1;
  }

  async ping(): Promise<boolean> {
    return !this.closed && pingRaw(this.raw);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.writeLock.run(() => undefined);
    this.closed = true;
    this.held?.release();
    await this.sql.end({ timeout: 5 });
  }
}

/** Start-up could not reach or log in to PostgreSQL; the message names the server, never the password. */
export class PostgresConnectError extends Error {
  constructor(readonly location: string, cause: unknown) {
    const code = (cause as { code?: string })?.code;
    super(`cannot connect to PostgreSQL at ${location}: ${String((cause as Error)?.message ?? cause).split("\n")[0]}${code ? ` (${code})` : ""}`);
    this.name = "PostgresConnectError";
  }
}
