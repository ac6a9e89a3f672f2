// Test support: the database engine under test. OFPDS_TEST_DB=postgres runs every server and CLI on PostgreSQL, one
// fresh database per data directory (dropped when its temp dir is cleaned up, and by scripts/test.ts at the end).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { openDatabase } from "../../src/migrations.ts";
import type { Database } from "../../src/db/database.ts";

export const TEST_DB_PREFIX = "ofpds_t_";
export const onPostgres = process.env.OFPDS_TEST_DB === "postgres";
/** the server the PostgreSQL pass uses (a maintenance database on it; each test database is created beside it) */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

const created = new Set<string>();

function urlFor(name: string): string {
  const u = new URL(TEST_DATABASE_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * Runs statements one by one on the maintenance database, synchronously: a child bun with postgres.js, because the
 * spawn helpers that need a database are synchronous. (CREATE/DROP DATABASE cannot share a transaction.)
 */
function adminSql(...statements: string[]): void {
  const script = `const s = (await import("postgres")).default(process.env.U, { onnotice() {}, max: 1 }); try { for (const q of JSON.parse(process.env.Q)) await s.unsafe(q); } finally { await s.end(); }`;
  const r = Bun.spawnSync([process.execPath, "-e", script], { cwd: resolve(import.meta.dir, "../.."), env: { ...process.env, U: TEST_DATABASE_URL, Q: JSON.stringify(statements) }, stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`test database: ${statements.join("; ")}: ${r.stderr.toString()}`);
}

/** The database name that belongs to a data directory: every process given that directory shares it. */
export function databaseNameFor(dataDir: string): string {
  return TEST_DB_PREFIX + createHash("sha256").update(resolve(dataDir)).digest("hex").slice(0, 24);
}

/** Creates (once) and returns the PostgreSQL URL of the data directory's test database. */
export function databaseUrlFor(dataDir: string): string {
  const name = databaseNameFor(dataDir);
  if (!created.has(name)) {
    adminSql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, `CREATE DATABASE ${name}`);
    created.add(name);
  }
  return urlFor(name);
}

/** Drops the test databases of directories under `root` (a temp dir being removed). */
export function dropDatabasesUnder(root: string): void {
  if (!onPostgres) return;
  for (const name of [...created]) {
    if (!dirsByName.get(name)?.startsWith(resolve(root))) continue;
    created.delete(name);
    try {
      adminSql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } catch {
      // scripts/test.ts drops whatever is left at the end of the run
    }
  }
}
const dirsByName = new Map<string, string>();

/** The data directory a command will use: --data-dir, DATA_DIR, or data_dir in its --config file. */
function dataDirOf(args: readonly string[], env: Record<string, string | undefined>, cwd: string): string | undefined {
  const flag = args.indexOf("--data-dir");
  if (flag >= 0 && args[flag + 1]) return resolve(cwd, args[flag + 1]!);
  const eq = args.find((a) => a.startsWith("--data-dir="));
  if (eq) return resolve(cwd, eq.slice("--data-dir=".length));
  if (env.DATA_DIR) return resolve(cwd, env.DATA_DIR);
  const cfg = args.indexOf("--config");
  if (cfg >= 0 && args[cfg + 1]) {
    try {
      const m = /^\s*data_dir\s*=\s*"([^"]+)"/m.exec(readFileSync(resolve(cwd, args[cfg + 1]!), "utf8"));
      if (m) return resolve(cwd, m[1]!);
    } catch {
      // no file yet: the command reports that itself
    }
  }
  return undefined;
}

/**
 * The environment a spawned ofpds gets: on the PostgreSQL pass, DATABASE_URL of its data directory's database
 * (unless the test sets one itself, or the command has no data directory, e.g. `ofpds plc`).
 */
export function testDbEnv(args: readonly string[], env: Record<string, string>, cwd: string): Record<string, string> {
  // OFPDS_TEST_SQLITE=1: this command is about SQLite itself (the marker is the harness's, the child never sees it)
  if (env.OFPDS_TEST_SQLITE !== undefined) {
    const { OFPDS_TEST_SQLITE: _, ...rest } = env;
    return rest;
  }
  if (!onPostgres || env.DATABASE_URL !== undefined || env.DB_HOST !== undefined) return env;
  if (args[0] === "plc") return env;
  const dir = dataDirOf(args, env, cwd);
  if (!dir) return env;
  const url = databaseUrlFor(dir);
  dirsByName.set(databaseNameFor(dir), dir);
  return { ...env, DATABASE_URL: url };
}

/** An in-process database on the engine under test, for unit tests that need a real Database. */
export function openTestDatabase(dataDir: string): Promise<Database> {
  if (!onPostgres) return openDatabase({ dataDir });
  const url = databaseUrlFor(dataDir);
  dirsByName.set(databaseNameFor(dataDir), dataDir);
  return openDatabase({ dataDir, database: { url, ssl: false, sslRejectUnauthorized: true, poolMax: 5, connectTimeoutMs: 5000 } });
}
