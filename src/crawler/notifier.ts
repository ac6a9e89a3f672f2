// Tells relays (CRAWLERS) to crawl us: requestCrawl at start and after events once the last success is 20 min old.
import type { Logger } from "../util/logger.ts";

/** A crawler is re-notified on an event only when its last success is older than this (spec 03 §7). */
export const RENOTIFY_AFTER_MS = 20 * 60_000;
/** After a failure, the next trigger retries, but not sooner than this (a dead relay must not get one call per event). */
export const RETRY_SPACING_MS = 60_000;
export const REQUEST_TIMEOUT_MS = 10_000;

interface CrawlerState {
  lastSuccess: number;
  lastAttempt: number;
  inFlight: boolean;
}

export interface CrawlerNotifierDeps {
  crawlers: string[];
  hostname: string;
  logger: Logger;
  now?: () => number;
  fetch?: typeof fetch;
  /** after each successful requestCrawl (the composition root records it for `ofpds doctor`) */
  onNotified?: () => void;
}

export class CrawlerNotifier {
  private readonly state = new Map<string, CrawlerState>();
  private readonly now: () => number;
  /** notifications under way (fire-and-forget for callers; `idle()` lets shutdown and tests wait for them) */
  private readonly pending = new Set<Promise<boolean>>();

  constructor(private readonly deps: CrawlerNotifierDeps) {
    this.now = deps.now ?? Date.now;
    for (const url of deps.crawlers) this.state.set(url.replace(/\/+$/, ""), { lastSuccess: -Infinity, lastAttempt: -Infinity, inFlight: false });
  }

  /** At start (so also after a hostname change): notify every crawler. Fire-and-forget. */
  start(): void {
    for (const url of this.state.keys()) this.fire(url);
  }

  /** After any event: cheap when nothing is due (called on every publish), never awaits. */
  onEvent(): void {
    const now = this.now();
    for (const [url, s] of this.state) {
      if (s.inFlight || now - s.lastSuccess < RENOTIFY_AFTER_MS) continue;
      if (s.lastAttempt > s.lastSuccess && now - s.lastAttempt < RETRY_SPACING_MS) continue;
      this.fire(url);
    }
  }

  /** Resolves once every notification started so far has finished (success or failure). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private fire(url: string): void {
    const p = this.notify(url);
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** One requestCrawl; resolves true on 2xx. Failures are logged and left for the next trigger. */
  async notify(url: string): Promise<boolean> {
    const s = this.state.get(url);
    if (!s || s.inFlight) return false;
    s.inFlight = true;
    s.lastAttempt = this.now();
    try {
      const res = await (this.deps.fetch ?? fetch)(`${url}/xrpc/com.atproto.sync.requestCrawl`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ hostname: this.deps.hostname }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      await res.body?.cancel().catch(() => {});
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      s.lastSuccess = this.now();
      this.deps.onNotified?.();
      this.deps.logger.info("requestCrawl sent", { crawler: url, hostname: this.deps.hostname });
      return true;
    } catch (err) {
      this.deps.logger.warn("requestCrawl failed; will retry on a later event", { crawler: url, err: err instanceof Error ? err.message : String(err) });
      return false;
    } finally {
      s.inFlight = false;
    }
  }
}
