// Data-set lock: one process owns one data directory (00 §3), enforced by an OS file lock.
import { Database as SqliteDatabase } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

export class DataDirLockedError extends Error {
  constructor(readonly dataDir: string) {
    super(`Another ofpds process is already using the data directory ${dataDir}; stop it first`);
    this.name = "DataDirLockedError";
  }
}

export interface DataDirLock {
  release(): void;
}

/**
 * Why SQLite: an EXCLUSIVE transaction on a dedicated lock file is an fcntl lock held by the
 * open connection, so a crashed process releases it automatically (no stale PID files), and a
 * second process gets SQLITE_BUSY at once (busy_timeout 0).
 */
export function acquireDataDirLock(dataDir: string, name = "ofpds.lock"): DataDirLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = new SqliteDatabase(join(dataDir, name), { create: true, readwrite: true });
  try {
    db.exec("PRAGMA busy_timeout = 0");
    db.exec("BEGIN EXCLUSIVE");
  } catch {
    db.close();
    throw new DataDirLockedError(dataDir);
  }
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      try {
        db.exec("ROLLBACK");
      } finally {
        db.close();
      }
    },
  };
}
