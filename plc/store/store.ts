// PlcStore: the did:plc SQLite store, prepared statements for every read and the atomic append.
import type { Database, Statement } from "bun:sqlite";
import { Database as SqliteDatabase } from "bun:sqlite";
import { accessSync, constants, statSync } from "node:fs";
import { openSqlite } from "../../src/db/sqlite.ts";
import { PlcError, lostRace } from "../ops/errors.ts";
import type { AnyOp, LogEntry } from "../ops/types.ts";
import { migrate } from "./schema.ts";

export interface OpRow {
  seq: number;
  did: string;
  cid: string;
  op_json: string;
  nullified: number;
  created_at: string;
}

export interface AppendArgs {
  did: string;
  cid: string;
  opJson: string;
  createdAt: string;
  /** live head the op was validated against; the append fails with 409 if it moved */
  expectedHead: string | null;
  nullifies: readonly string[];
}

export class PlcStore {
  private readonly q: {
    log: Statement<OpRow, [string]>;
    head: Statement<{ cid: string }, [string]>;
    latestLive: Statement<OpRow, [string]>;
    exists: Statement<{ one: number }, [string]>;
    hasOp: Statement<{ one: number }, [string, string]>;
    insert: Statement<{ seq: number }, [string, string, string, string]>;
    nullify: Statement<unknown, [string, string]>;
    afterSeq: Statement<OpRow, [number, number]>;
    afterTime: Statement<OpRow, [string, number]>;
    maxSeq: Statement<{ seq: number | null }, []>;
    dids: Statement<{ did: string }, []>;
  };
  private closed = false;

  private constructor(
    readonly db: Database,
    readonly path: string,
  ) {
    const cols = "seq, did, cid, op_json, nullified, created_at";
    this.q = {
      log: db.query(`SELECT ${cols} FROM plc_ops WHERE did = ? ORDER BY seq`),
      head: db.query("SELECT cid FROM plc_ops WHERE did = ? AND nullified = 0 ORDER BY seq DESC LIMIT 1"),
      latestLive: db.query(`SELECT ${cols} FROM plc_ops WHERE did = ? AND nullified = 0 ORDER BY seq DESC LIMIT 1`),
      exists: db.query("SELECT 1 AS one FROM plc_ops WHERE did = ? LIMIT 1"),
      hasOp: db.query("SELECT 1 AS one FROM plc_ops WHERE did = ? AND cid = ?"),
      insert: db.query("INSERT INTO plc_ops (did, cid, op_json, nullified, created_at) VALUES (?, ?, ?, 0, ?) RETURNING seq"),
      nullify: db.query("UPDATE plc_ops SET nullified = 1 WHERE did = ? AND cid = ?"),
      afterSeq: db.query(`SELECT ${cols} FROM plc_ops WHERE seq > ? ORDER BY seq LIMIT ?`),
      afterTime: db.query(`SELECT ${cols} FROM plc_ops WHERE created_at > ? ORDER BY created_at, cid LIMIT ?`),
      maxSeq: db.query("SELECT MAX(seq) AS seq FROM plc_ops"),
      dids: db.query("SELECT DISTINCT did FROM plc_ops ORDER BY did"),
    };
  }

  static open(path: string): PlcStore {
    const db = openSqlite(path);
    migrate(db);
    return new PlcStore(db, path);
  }

  /** Full audit log of a DID, oldest first (seq order is arrival order). */
  log(did: string): LogEntry[] {
    return this.q.log.all(did).map(rowToEntry);
  }

  rows(did: string): OpRow[] {
    return this.q.log.all(did);
  }

  latestLive(did: string): OpRow | null {
    return this.q.latestLive.get(did) ?? null;
  }

  hasDid(did: string): boolean {
    return this.q.exists.get(did) !== null;
  }

  hasOp(did: string, cid: string): boolean {
    return this.q.hasOp.get(did, cid) !== null;
  }

  /**
   * Append one validated op and mark what it nullifies, all in one BEGIN IMMEDIATE transaction.
   * Why the head re-check: the per-DID lock only serialises writers inside this process; another
   * process (e.g. `ofpds plc import` on the same file) may have appended since validation. The
   * IMMEDIATE write lock makes the check-then-insert atomic across processes.
   */
  append(a: AppendArgs): number {
    return this.db
      .transaction(() => {
        const head = this.q.head.get(a.did)?.cid ?? null;
        if (head !== a.expectedHead) throw lostRace(head);
        let seq: number;
        try {
          seq = this.q.insert.get(a.did, a.cid, a.opJson, a.createdAt)!.seq;
        } catch (err) {
          if (String(err).includes("UNIQUE")) throw new PlcError(400, "Operations not correctly ordered: operation already exists", "misordered");
          throw err;
        }
        for (const cid of a.nullifies) this.q.nullify.run(a.did, cid);
        return seq;
      })
      .immediate();
  }

  afterSeq(after: number, limit: number): OpRow[] {
    return this.q.afterSeq.all(after, limit);
  }

  afterTime(afterIso: string, limit: number): OpRow[] {
    return this.q.afterTime.all(afterIso, limit);
  }

  maxSeq(): number {
    return this.q.maxSeq.get()?.seq ?? 0;
  }

  *dids(): Generator<string> {
    for (const row of this.q.dids.iterate()) yield row.did;
  }

  /**
   * Health probe: the open connection answers, and the file on disk is still present, accessible
   * and a readable SQLite database (a fresh read-only connection catches a removed/replaced file).
   */
  healthy(): boolean {
    if (this.closed) return false;
    try {
      this.db.query("SELECT 1").get();
      if (this.path === ":memory:") return true;
      if (!statSync(this.path).isFile()) return false;
      accessSync(this.path, constants.R_OK | constants.W_OK);
      const probe = new SqliteDatabase(this.path, { readonly: true });
      try {
        probe.query("SELECT COUNT(*) FROM sqlite_master").get();
      } finally {
        probe.close();
      }
      return true;
    } catch {
      return false;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of Object.values(this.q)) s.finalize();
    this.db.close();
  }
}

export function rowToEntry(r: OpRow): LogEntry {
  return { cid: r.cid, operation: JSON.parse(r.op_json) as AnyOp, nullified: r.nullified === 1, createdAt: r.created_at };
}
