// The sequencer: appends firehose events inside the writer's transaction and fans them out after commit.
import * as dagCbor from "@ipld/dag-cbor";
import type { CID } from "multiformats/cid";
import type { Database, Tx } from "../db/database.ts";
import { blocksToCar } from "../repo/car.ts";
import { sqliteOf } from "../db/sqlite.ts";
import type { CommitEventInput, EventType, SeqEvent } from "./events.ts";

/** Live delivery seam: in-process today; LISTEN/NOTIFY when several processes share Postgres (spec 00 §3). */
export interface EventFanout {
  publish(event: SeqEvent): void;
}

/** In-process fan-out to subscribers registered with `subscribe`. */
export class LocalFanout implements EventFanout {
  private readonly listeners = new Set<(e: SeqEvent) => void>();

  subscribe(fn: (e: SeqEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  publish(event: SeqEvent): void {
    for (const fn of this.listeners) {
      try {
        fn(event);
      } catch {
        // one broken subscriber must not starve the others
      }
    }
  }
}

export class Sequencer {
  readonly fanout: LocalFanout;

  /**
   * `silenced`: repos that must not appear on the firehose (private communities: no #commit/#sync; unverified
   * did:web communities: nothing), supplied by the composition root and consulted in the writing transaction.
   */
  private readonly silenced?: (tx: Tx, did: string, type: EventType) => boolean;

  constructor(
    private readonly db: Database,
    opts: { fanout?: LocalFanout; silenced?: (tx: Tx, did: string, type: EventType) => boolean } = {},
  ) {
    this.fanout = opts.fanout ?? new LocalFanout();
    this.silenced = opts.silenced;
  }

  /**
   * Append one event in the caller's transaction and return its seq. Why max+1 rather than AUTOINCREMENT:
   * seq must stay consecutive, and a rolled-back transaction then consumes nothing. Writers are serialised
   * by db.transaction, so max+1 cannot race.
   */
  appendInTx(tx: Tx, did: string, type: EventType, body: Record<string, unknown>): number {
    if (this.silenced?.(tx, did, type)) return 0;
    const client = sqliteOf(tx.orm);
    // The floor (server_meta firehose_seq_floor, set by `backup restore`) keeps a restored data set above every
    // seq its original issued, even after pruning: the firehose never goes backwards (09 §6).
    const row = client
      .query<{ next: number }, []>(
        "SELECT MAX(COALESCE((SELECT MAX(seq) FROM repo_events), 0), COALESCE((SELECT CAST(value AS INTEGER) FROM server_meta WHERE key = 'firehose_seq_floor'), 0)) + 1 AS next",
      )
      .get();
    const seq = row!.next;
    const time = typeof body.time === "string" ? body.time : new Date().toISOString();
    const bytes = dagCbor.encode({ ...stripUndefined(body), seq, time });
    client
      .query("INSERT INTO repo_events (seq, did, type, body, created_at) VALUES (?, ?, ?, ?, ?)")
      .run(seq, did, type, bytes, time);
    const event: SeqEvent = { seq, did, type, body: bytes, time };
    tx.afterCommit(() => this.fanout.publish(event));
    return seq;
  }

  commitInTx(tx: Tx, e: CommitEventInput): number {
    return this.appendInTx(tx, e.repo, "#commit", {
      rebase: false,
      tooBig: false,
      repo: e.repo,
      commit: e.commit,
      rev: e.rev,
      since: e.since,
      blocks: e.blocks,
      ops: e.ops.map((op) => stripUndefined({ action: op.action, path: op.path, cid: op.cid, prev: op.prev })),
      blobs: [],
      prevData: e.prevData,
    });
  }

  /** `#sync`: a CAR holding only the signed commit block. */
  syncInTx(tx: Tx, did: string, commit: { cid: CID; bytes: Uint8Array; rev: string }): number {
    const blocks = blocksToCar(commit.cid, [{ cid: commit.cid, bytes: commit.bytes }]);
    return this.appendInTx(tx, did, "#sync", { did, blocks, rev: commit.rev });
  }

  identityInTx(tx: Tx, did: string, handle?: string): number {
    return this.appendInTx(tx, did, "#identity", { did, handle });
  }

  accountInTx(tx: Tx, did: string, active: boolean, status?: string): number {
    return this.appendInTx(tx, did, "#account", { did, active, status });
  }

  /** Highest committed seq (0 when the log is empty). */
  currentSeq(): number {
    return sqliteOf(this.db.orm).query<{ s: number | null }, []>("SELECT MAX(seq) AS s FROM repo_events").get()?.s ?? 0;
  }

  /** Committed events with seq > cursor, oldest first. */
  eventsAfter(cursor: number, limit = 500): SeqEvent[] {
    return sqliteOf(this.db.orm)
      .query<{ seq: number; did: string; type: EventType; body: Uint8Array; created_at: string }, [number, number]>(
        "SELECT seq, did, type, body, created_at FROM repo_events WHERE seq > ? ORDER BY seq LIMIT ?",
      )
      .all(cursor, limit)
      .map((r) => ({ seq: r.seq, did: r.did, type: r.type, body: new Uint8Array(r.body), time: r.created_at }));
  }

  /** Lowest seq whose event is at or after `sinceIso` (the start of the backfill window); undefined when none. */
  firstSeqSince(sinceIso: string): number | undefined {
    return (
      sqliteOf(this.db.orm)
        .query<{ s: number | null }, [string]>("SELECT MIN(seq) AS s FROM repo_events WHERE created_at >= ?")
        .get(sinceIso)?.s ?? undefined
    );
  }

  /**
   * Deletes events older than `beforeIso`, in batches (each its own short write transaction, so writers are
   * not held up), and NEVER the newest row: seq is MAX+1, so deleting it would restart numbering.
   */
  async pruneBefore(beforeIso: string, batch = 5_000): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.db.transaction((tx) => {
        const res = sqliteOf(tx.orm)
          .query(
            `DELETE FROM repo_events WHERE seq IN (
               SELECT seq FROM repo_events WHERE created_at < ?1 AND seq < (SELECT MAX(seq) FROM repo_events) ORDER BY seq LIMIT ?2)`,
          )
          .run(beforeIso, batch);
        return res.changes;
      });
      total += n;
      if (n < batch) return total;
    }
  }
}

/** DAG-CBOR has no `undefined`: optional fields are omitted. */
function stripUndefined<T extends Record<string, unknown>>(obj: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return out as T;
}
