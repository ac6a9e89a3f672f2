// FirehoseService: owns the live subscriptions (per-IP cap, pings, shutdown) and the pruning job.
import type { ServerWebSocket } from "bun";
import type { SeqEvent, Sequencer } from "../sequencer/index.ts";
import type { Logger } from "../util/logger.ts";
import { eventFrame } from "./frames.ts";
import { CLOSE_GOING_AWAY, Subscription } from "./subscription.ts";

/** At most this many concurrent subscriptions per client IP (spec 06 §11). */
export const MAX_SUBSCRIPTIONS_PER_IP = 10;
export const PING_INTERVAL_MS = 30_000;
export const PRUNE_INTERVAL_MS = 3_600_000;

/** Account states whose #commit/#sync are left out of backfill (spec 03 §7, §9). A missing account is deleted. */
const HIDDEN_STATUSES = new Set(["takendown", "deleted", "rejected", "creating", "pending"]);

export interface FirehoseDeps {
  sequencer: Sequencer;
  accounts: { getRow(did: string): { status: string } | undefined | Promise<{ status: string } | undefined> };
  /** repos that are not accounts (communities): true/false when `did` is one, undefined otherwise */
  hiddenFromBackfill?: (did: string) => boolean | undefined | Promise<boolean | undefined>;
  config: { firehoseMaxBuffer: number; firehoseBackfillHours: number };
  logger: Logger;
  now?: () => number;
}

export class FirehoseService {
  private readonly subs = new Set<Subscription>();
  private readonly perIp = new Map<string, number>();
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private readonly unsubscribe: () => void;
  private shuttingDown = false;

  constructor(private readonly deps: FirehoseDeps) {
    // One fan-out listener for all sockets: each event's frame is built at most once, and only if someone is live.
    this.unsubscribe = deps.sequencer.fanout.subscribe((event) => this.publish(event));
  }

  private publish(event: SeqEvent): void {
    if (this.subs.size === 0) return;
    let frame: Uint8Array | undefined;
    const frameOnce = () => (frame ??= eventFrame(event));
    for (const sub of this.subs) sub.onEvent(event, frameOnce);
  }

  /** Reserves a slot for `ip`; false when the IP already holds the maximum (the caller refuses the upgrade). */
  admit(ip: string, capped: boolean): boolean {
    if (this.shuttingDown) return false;
    const n = this.perIp.get(ip) ?? 0;
    if (capped && n >= MAX_SUBSCRIPTIONS_PER_IP) return false;
    this.perIp.set(ip, n + 1);
    return true;
  }

  /** Gives back a slot reserved by `admit` (failed upgrade or closed socket). */
  release(ip: string): void {
    const n = (this.perIp.get(ip) ?? 1) - 1;
    if (n <= 0) this.perIp.delete(ip);
    else this.perIp.set(ip, n);
  }

  /** Socket opened: register before starting, so no published event can slip past (see Subscription.replay). */
  open(ws: ServerWebSocket<unknown>, ip: string, cursor: number | undefined): Subscription {
    const { sequencer, config, logger } = this.deps;
    const sub = new Subscription(ws, ip, {
      sequencer,
      maxBuffer: config.firehoseMaxBuffer,
      backfillHours: config.firehoseBackfillHours,
      hiddenFromBackfill: async (did) => {
        const row = await this.deps.accounts.getRow(did);
        // communities (03 §9): private, takendown, unverified or not yet active ones are not replayed
        if (!row) return (await this.deps.hiddenFromBackfill?.(did)) ?? true;
        return HIDDEN_STATUSES.has(row.status);
      },
      now: this.deps.now,
      onFail: (error) => logger.info("firehose subscriber closed with an error frame", { ip, error }),
      onError: (err) => logger.error("firehose replay failed", { err: err instanceof Error ? err.message : String(err) }),
    });
    this.subs.add(sub);
    this.ensurePing();
    logger.debug("firehose subscriber connected", { ip, cursor, subscribers: this.subs.size });
    void sub.start(cursor);
    return sub;
  }

  /** Socket closed (by either side). */
  closed(sub: Subscription): void {
    sub.markClosed();
    if (this.subs.delete(sub)) this.release(sub.ip);
    if (this.subs.size === 0 && this.pingTimer) {
      clearInterval(this.pingTimer);
      this.pingTimer = undefined;
    }
  }

  private ensurePing(): void {
    if (this.pingTimer) return;
    this.pingTimer = setInterval(() => {
      for (const sub of this.subs) {
        try {
          sub.ws.ping();
        } catch {
          // closing; the close handler cleans up
        }
      }
    }, PING_INTERVAL_MS);
    this.pingTimer.unref?.();
  }

  get subscriberCount(): number {
    return this.subs.size;
  }

  /** Shutdown (spec 09 §5): refuse new subscriptions and close every socket with 1001 before HTTP stops. */
  shutdown(): void {
    this.shuttingDown = true;
    this.unsubscribe();
    for (const sub of [...this.subs]) {
      sub.close(CLOSE_GOING_AWAY, "server shutting down");
      this.closed(sub);
    }
  }

  /** Hourly job: drop events older than the backfill window (the newest row always stays). */
  async prune(): Promise<number> {
    const cutoff = new Date((this.deps.now?.() ?? Date.now()) - this.deps.config.firehoseBackfillHours * 3_600_000).toISOString();
    const n = await this.deps.sequencer.pruneBefore(cutoff);
    if (n > 0) this.deps.logger.info("firehose events pruned", { count: n, before: cutoff });
    return n;
  }
}
