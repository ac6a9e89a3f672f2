// The sequencer: appends firehose events inside the writer's transaction and fans them out after commit.
import * as dagCbor from "@ipld/dag-cbor";
import type { CID } from "multiformats/cid";
import type { Database, Tx } from "../db/database.ts";
import { blocksToCar } from "../repo/car.ts";
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

/** The channel cluster processes hear committed firehose appends on (payload: the seq). */
const SEQ_CHANNEL = "ofpds_seq";

/**
 * Cluster mode's fan-out: on every wake-up (a commit here or anywhere), publish the committed events after the last
 * one published, oldest first. Seqs are gapless in commit order (the db layer's sequence lock), so when seq n is
 * heard every seq below it is already committed: nothing is skipped and nothing is published twice or out of order.
 */
class OrderedPublisher {
  private last = 0;
  private running = false;
  private again = false;
  constructor(private readonly seq: Pick<Sequencer, "eventsAfter">, private readonly fanout: LocalFanout) {}

  async start(after: number): Promise<void> {
    this.last = after;
  }

  wake(): void {
    // why the flag: wake-ups arrive while a drain awaits the database; one drain at a time keeps the order
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.drain();
  }

  private async drain(): Promise<void> {
    try {
      do {
        this.again = false;
        for (;;) {
          const events = await this.seq.eventsAfter(this.last, 500);
          for (const e of events) {
            this.last = e.seq;
            this.fanout.publish(e);
          }
          if (events.length < 500) break;
        }
      } while (this.again);
    } catch {
      // the database is away: the next wake-up (or commit) retries from the same place
    } finally {
      this.running = false;
    }
  }
}

/** Whether a repo's event of this type must stay off the firehose, asked in the writing transaction. */
export type Silenced = (tx: Tx, did: string, type: EventType) => boolean | Promise<boolean>;

export class Sequencer {
  readonly fanout: LocalFanout;

  /**
   * `silenced`: repos that must not appear on the firehose (private communities: no #commit/#sync; unverified
   * did:web communities: nothing), supplied by the composition root and consulted in the writing transaction.
   */
  private readonly silenced?: Silenced;

  constructor(
    private readonly db: Database,
    opts: { fanout?: LocalFanout; silenced?: Silenced; cluster?: boolean } = {},
  ) {
    this.fanout = opts.fanout ?? new LocalFanout();
    this.silenced = opts.silenced;
    this.ordered = opts.cluster ? new OrderedPublisher(this, this.fanout) : undefined;
  }

  /** cluster mode: events reach the fanout from the database in seq order, this process's and the others' alike */
  private readonly ordered?: OrderedPublisher;

  /** Cluster mode: start hearing other processes' commits (call once at start, before serving). */
  async startClusterFanout(): Promise<void> {
    if (!this.ordered) return;
    await this.ordered.start(await this.currentSeq());
    await this.db.listen(SEQ_CHANNEL, () => this.ordered!.wake());
  }

  /**
   * Append one event in the caller's transaction and return its seq. Why max+1 rather than AUTOINCREMENT:
   * seq must stay consecutive, and a rolled-back transaction then consumes nothing. Writers are serialised
   * by db.transaction within a process, so max+1 cannot race there.
   */
  async appendInTx(tx: Tx, did: string, type: EventType, body: Record<string, unknown>): Promise<number> {
    if (await this.silenced?.(tx, did, type)) return 0;
    // The db layer must serialise this read-then-append across processes (cluster mode): the sequence lock, held to COMMIT.
    await tx.lockSequence();
    // The floor (server_meta firehose_seq_floor, set by `backup restore`) keeps a restored data set above every
    // seq its original issued, even after pruning: the firehose never goes backwards (09 §6).
    const row = await tx.raw.get<{ next_seq: number }>(
      `SELECT CASE WHEN t.a >= t.b THEN t.a ELSE t.b END + 1 AS next_seq FROM (SELECT
         COALESCE((SELECT MAX(seq) FROM repo_events), 0) AS a,
         COALESCE((SELECT CAST(value AS BIGINT) FROM server_meta WHERE key = 'firehose_seq_floor'), 0) AS b) t`,
    );
    const seq = Number(row!.next_seq);
    const time = typeof body.time === "string" ? body.time : new Date().toISOString();
    const bytes = dagCbor.encode({ ...stripUndefined(body), seq, time });
    await tx.raw.run("INSERT INTO repo_events (seq, did, type, body, created_at) VALUES (?, ?, ?, ?, ?)", [seq, did, type, bytes, time]);
    const event: SeqEvent = { seq, did, type, body: bytes, time };
    // cluster mode: a NOTIFY at COMMIT wakes every process (this one included), which then publishes from the log in
    // seq order; one process publishes its own events directly
    if (this.ordered) await tx.notify(SEQ_CHANNEL, String(seq));
    else tx.afterCommit(() => this.fanout.publish(event));
    return seq;
  }

  commitInTx(tx: Tx, e: CommitEventInput): Promise<number> {
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
  syncInTx(tx: Tx, did: string, commit: { cid: CID; bytes: Uint8Array; rev: string }): Promise<number> {
    const blocks = blocksToCar(commit.cid, [{ cid: commit.cid, bytes: commit.bytes }]);
    return this.appendInTx(tx, did, "#sync", { did, blocks, rev: commit.rev });
  }

  identityInTx(tx: Tx, did: string, handle?: string): Promise<number> {
    return this.appendInTx(tx, did, "#identity", { did, handle });
  }

  accountInTx(tx: Tx, did: string, active: boolean, status?: string): Promise<number> {
    return this.appendInTx(tx, did, "#account", { did, active, status });
  }

  /** Highest committed seq (0 when the log is empty). */
  async currentSeq(): Promise<number> {
    return Number((await this.db.raw.get<{ s: number | null }>("SELECT MAX(seq) AS s FROM repo_events"))?.s ?? 0);
  }

  /** Committed events with seq > cursor, oldest first. */
  async eventsAfter(cursor: number, limit = 500): Promise<SeqEvent[]> {
    const rows = await this.db.raw.all<{ seq: number; did: string; type: EventType; body: Uint8Array; created_at: string }>(
      "SELECT seq, did, type, body, created_at FROM repo_events WHERE seq > ? ORDER BY seq LIMIT ?",
      [cursor, limit],
    );
    return rows.map((r) => ({ seq: r.seq, did: r.did, type: r.type, body: new Uint8Array(r.body), time: r.created_at }));
  }

  /** Lowest seq whose event is at or after `sinceIso` (the start of the backfill window); undefined when none. */
  async firstSeqSince(sinceIso: string): Promise<number | undefined> {
    const s = (await this.db.raw.get<{ s: number | null }>("SELECT MIN(seq) AS s FROM repo_events WHERE created_at >= ?", [sinceIso]))?.s;
    return s === null || s === undefined ? undefined : Number(s);
  }

  /**
   * Deletes events older than `beforeIso`, in batches (each its own short write transaction, so writers are
   * not held up), and NEVER the newest row: seq is MAX+1, so deleting it would restart numbering.
   */
  async pruneBefore(beforeIso: string, batch = 5_000): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.db.transaction((tx) =>
        tx.raw.run(
          `DELETE FROM repo_events WHERE seq IN (
             SELECT seq FROM repo_events WHERE created_at < ? AND seq < (SELECT MAX(seq) FROM repo_events) ORDER BY seq LIMIT ?)`,
          [beforeIso, batch],
        ),
      );
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
