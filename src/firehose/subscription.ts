// One firehose connection: cursor handling, paced replay, gap-free cut-over to live, bounded outbound queue.
import type { ServerWebSocket } from "bun";
import type { SeqEvent, Sequencer } from "../sequencer/index.ts";
import { errorFrame, eventFrame, infoFrame } from "./frames.ts";

/** Replay page size (spec 03 §7). */
export const REPLAY_PAGE = 500;
/**
 * Bytes Bun may hold for one socket before we stop handing it frames. Above this, live frames wait in our
 * own queue (≤ maxBuffer frames) and replay waits for `drain`; so memory per subscriber stays bounded by
 * HIGH_WATER + one frame + maxBuffer frames.
 */
export const HIGH_WATER = 1 << 20;

/** Close codes: 1001 going away (shutdown), 1008 policy (cursor/consumer errors). */
export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_POLICY = 1008;

export interface SubscriptionDeps {
  sequencer: Sequencer;
  maxBuffer: number;
  backfillHours: number;
  /** true when #commit/#sync of this repo must not be replayed (takendown, deleted, private) */
  hiddenFromBackfill(did: string): boolean | Promise<boolean>;
  now?: () => number;
  onError?(err: unknown): void;
  /** an error frame was sent and the socket closed (ConsumerTooSlow, FutureCursor, …) */
  onFail?(error: string): void;
}

export class Subscription {
  /** live frames waiting for the socket to drain (bounded by maxBuffer) */
  private queue: Uint8Array[] = [];
  private live = false;
  /** live events received during catch-up; null when not collecting (see replay) */
  private pending: SeqEvent[] | null = null;
  /** highest seq handed to the socket: the de-duplication point at cut-over */
  private lastSeq = 0;
  private drainWaiter: (() => void) | undefined;
  closed = false;

  constructor(
    readonly ws: ServerWebSocket<unknown>,
    readonly ip: string,
    private readonly deps: SubscriptionDeps,
  ) {}

  /** Starts the stream: live only without a cursor, else validate, replay and cut over. */
  async start(cursor: number | undefined): Promise<void> {
    const { sequencer } = this.deps;
    if (cursor === undefined) {
      // live at once, before any await: an event committed while we read the head would otherwise be missed
      this.live = true;
      return;
    }
    const head = await sequencer.currentSeq();
    if (cursor > head) return this.fail("FutureCursor", "Cursor in the future.");
    let from = cursor;
    const windowStart = new Date((this.deps.now?.() ?? Date.now()) - this.deps.backfillHours * 3_600_000).toISOString();
    const oldest = await sequencer.firstSeqSince(windowStart);
    const firstAvailable = oldest ?? head + 1;
    if (cursor < firstAvailable - 1) {
      this.sendNow(infoFrame("OutdatedCursor", "Requested cursor exceeded limit. Possibly missing events"));
      from = firstAvailable - 1;
    }
    try {
      await this.replay(from);
    } catch (err) {
      if (this.closed) return; // the database may close under a replay during shutdown
      this.deps.onError?.(err);
      this.fail("InternalServerError", "Replay failed");
    }
  }

  /**
   * Replays seq > `after` from the log, paced by the socket, then cuts over to live delivery.
   * Why subscribe BEFORE reading the (expected) last page: an event committed after that read is published
   * after its commit, so it is certainly in `pending`; an event committed before the read is in the page.
   * Overlap is possible (committed before the read, published after we started collecting), so the cut-over
   * drops anything at or below the last replayed seq. If `pending` overflows while the socket is slow, it is
   * dropped and rebuilt later: the log is the source of truth, the buffer only bridges the last page.
   */
  private async replay(after: number): Promise<void> {
    const { sequencer } = this.deps;
    for (;;) {
      if (this.pending === null && (await sequencer.currentSeq()) - after <= REPLAY_PAGE) this.pending = [];
      const collecting = this.pending;
      const page = await sequencer.eventsAfter(after, REPLAY_PAGE);
      const hidden = new Map<string, boolean>();
      for (const event of page) {
        if (this.closed) return;
        if (await this.replayable(event, hidden)) {
          if (this.ws.getBufferedAmount() > HIGH_WATER) await this.drained();
          if (this.closed) return;
          this.sendNow(eventFrame(event));
        }
        after = event.seq;
      }
      this.lastSeq = after;
      if (page.length < REPLAY_PAGE && collecting !== null && this.pending === collecting) {
        // No await from here on: nothing can be published between draining `pending` and going live.
        this.pending = null;
        this.live = true;
        for (const event of collecting) this.deliver(event, eventFrame(event));
        return;
      }
    }
  }

  /** Backfill omits #commit/#sync of repos that are now hidden; #identity and #account are always replayed. */
  private async replayable(event: SeqEvent, cache: Map<string, boolean>): Promise<boolean> {
    if (event.type !== "#commit" && event.type !== "#sync") return true;
    let hidden = cache.get(event.did);
    if (hidden === undefined) cache.set(event.did, (hidden = await this.deps.hiddenFromBackfill(event.did)));
    return !hidden;
  }

  /** Called by the hub for every published event (frame built once for all subscribers). */
  onEvent(event: SeqEvent, frame: () => Uint8Array): void {
    if (this.closed) return;
    if (this.live) return this.deliver(event, frame());
    if (this.pending) {
      this.pending.push(event);
      if (this.pending.length > this.deps.maxBuffer) this.pending = null; // rebuilt from the log (see replay)
    }
  }

  private deliver(event: SeqEvent, frame: Uint8Array): void {
    if (event.seq <= this.lastSeq) return;
    this.lastSeq = event.seq;
    this.queue.push(frame);
    if (this.queue.length > this.deps.maxBuffer) return this.fail("ConsumerTooSlow", "Stream consumer too slow");
    this.pump();
  }

  /** Moves queued frames to the socket while Bun's own buffer is under the high-water mark. */
  private pump(): void {
    while (this.queue.length > 0 && !this.closed && this.ws.getBufferedAmount() <= HIGH_WATER) {
      this.sendNow(this.queue.shift()!);
    }
  }

  /** Bun's `drain`: the socket accepted more; resume replay or flush the live queue. */
  onDrain(): void {
    const waiter = this.drainWaiter;
    this.drainWaiter = undefined;
    waiter?.();
    this.pump();
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => (this.drainWaiter = resolve));
  }

  private sendNow(frame: Uint8Array): void {
    if (this.closed) return;
    // 0 = dropped by Bun (connection gone); -1 = accepted but buffered (we watch getBufferedAmount).
    if (this.ws.send(frame) === 0) this.markClosed();
  }

  /** Error frame then close (spec 03 §7). */
  fail(error: string, message: string): void {
    if (this.closed) return;
    this.ws.send(errorFrame(error, message));
    this.close(CLOSE_POLICY, error);
    this.deps.onFail?.(error);
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.markClosed();
    try {
      this.ws.close(code, reason);
    } catch {
      // already closed by the peer
    }
  }

  /** Socket is gone: release memory and wake a waiting replay so it can stop. */
  markClosed(): void {
    this.closed = true;
    this.queue = [];
    this.pending = null;
    this.onDrain();
  }

  /** Frames waiting in our queue (for stats and tests). */
  get queued(): number {
    return this.queue.length;
  }
}
