// The Database contract every domain uses: one async API over SQLite (default) and PostgreSQL, with serialised write transactions.
import type { SqliteRemoteDatabase } from "drizzle-orm/sqlite-proxy";
import type * as schema from "./schema.ts";

/**
 * The ORM handle. Typed as drizzle's async SQLite driver: every `.get()/.all()/.run()` is awaited. At run time it is
 * bun:sqlite's drizzle (values come back synchronously; awaiting them is free) or the PostgreSQL proxy (src/db/postgres.ts),
 * so one query builder text serves both engines. Never use the value `.run()` returns (its shape differs per engine):
 * use `.returning()` to learn what changed.
 */
export type Orm = SqliteRemoteDatabase<typeof schema>;
export type Dialect = "sqlite" | "postgres";

export class SchemaTooNewError extends Error {
  constructor(readonly found: number, readonly supported: number) {
    super(`the database schema (version ${found}) is newer than this ofpds binary supports (version ${supported}); upgrade ofpds`);
    this.name = "SchemaTooNewError";
  }
}

/** The database cannot be reached (PostgreSQL gone mid-run); the HTTP boundary answers 503 ServiceUnavailable. */
export class DatabaseUnavailableError extends Error {
  constructor(readonly detail: string) {
    super(`the database is unavailable: ${detail}`);
    this.name = "DatabaseUnavailableError";
  }
}

/**
 * Portable raw SQL for the few hot or set-shaped queries the query builder cannot say well. Placeholders are `?`; the
 * SQL must be valid on both engines (no SQLite-only functions: see docs/database.md for the allowed subset).
 */
export interface Raw {
  all<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  get<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  /** resolves to the number of rows changed */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /** the same statement once per parameter row (batch inserts); resolves to the total rows changed */
  runMany(sql: string, rows: readonly (readonly unknown[])[]): Promise<number>;
}

/** What a transaction callback receives: the write-side ORM and raw SQL plus a hook registry. */
export interface Tx {
  readonly dialect: Dialect;
  orm: Orm;
  raw: Raw;
  /** run after COMMIT succeeds (e.g. wake firehose subscribers); never after a rollback */
  afterCommit(fn: () => void): void;
  /**
   * Call before appending to a log that must be gapless in commit order (the firehose): holds the database-wide
   * sequence lock until COMMIT. A no-op where one process is the only writer (SQLite, PostgreSQL outside cluster mode).
   */
  lockSequence(): Promise<void>;
  /** after COMMIT, every process's `db.listen(channel)` hears `payload` (this process's at once, others' by NOTIFY) */
  notify(channel: string, payload: string): Promise<void>;
}

export interface TxOptions {
  /**
   * The repo (DID) this write belongs to. Writes are serialised per process as before; in cluster mode the key also
   * names the transaction-scoped advisory lock other processes wait on (src/db/postgres.ts).
   */
  lockKey?: string;
}

/** A consistent read-only view held open across awaits (a streamed export); `release` ends it and must always be called. */
export interface ReadSnapshot {
  raw: Raw;
  release(): Promise<void>;
}

export interface Database {
  readonly dialect: Dialect;
  /** a short label for logs and doctor: the SQLite path, or `postgres://host:port/db` (never the password) */
  readonly location: string;
  /** read-side ORM; it never sees another transaction's uncommitted writes */
  readonly orm: Orm;
  readonly raw: Raw;
  transaction<T>(fn: (tx: Tx) => Promise<T> | T, opts?: TxOptions): Promise<T>;
  /**
   * Opens a read snapshot on a connection of its own: every read through it sees the database as of its first read,
   * whatever commits meanwhile. Holds a connection (PostgreSQL) or pins the WAL (SQLite) until released: keep it short.
   */
  snapshot(): Promise<ReadSnapshot>;
  /** hears the payloads committed transactions `notify` on this channel; resolves to an unsubscribe function */
  listen(channel: string, fn: (payload: string) => void): Promise<() => void>;
  /** current schema version recorded in the database (0 when empty) */
  schemaVersion(): Promise<number>;
  /** true when `SELECT 1` answers; used by /xrpc/_health */
  ping(): Promise<boolean>;
  /** waits for the running write transaction, then closes every connection */
  close(): Promise<void>;
}
