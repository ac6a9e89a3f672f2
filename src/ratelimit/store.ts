// Rate-limit counter storage: a small interface (Postgres-backed later) and a bounded in-memory implementation.

export interface RateLimitHit {
  /** hits in the current window, including this one */
  count: number;
  /** epoch ms when the current window ends */
  resetAt: number;
}

export interface RateLimitStore {
  /** Count one hit for `key` in a fixed window of `windowMs` starting at its first hit. */
  hit(key: string, windowMs: number, now: number): Promise<RateLimitHit>;
}

export interface MemoryStoreOptions {
  /** hard cap on tracked keys; the oldest windows are dropped first (default 100 000) */
  maxKeys?: number;
  /** how often expired windows are swept (default 10 s) */
  sweepEveryMs?: number;
}

/** Fixed-window counters in a Map. Memory stays bounded: expired windows are swept and the key count is capped. */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly windows = new Map<string, RateLimitHit>();
  private lastSweep = 0;
  private readonly maxKeys: number;
  private readonly sweepEveryMs: number;

  constructor(opts: MemoryStoreOptions = {}) {
    this.maxKeys = opts.maxKeys ?? 100_000;
    this.sweepEveryMs = opts.sweepEveryMs ?? 10_000;
  }

  get size(): number {
    return this.windows.size;
  }

  async hit(key: string, windowMs: number, now: number): Promise<RateLimitHit> {
    if (now - this.lastSweep >= this.sweepEveryMs) this.sweep(now);
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      // Re-insert so Map order stays "oldest window first" for the cap below.
      this.windows.delete(key);
      w = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, w);
      if (this.windows.size > this.maxKeys) this.evictOldest(this.windows.size - this.maxKeys);
    }
    w.count++;
    return { count: w.count, resetAt: w.resetAt };
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
  }

  private evictOldest(n: number): void {
    for (const k of this.windows.keys()) {
      if (n-- <= 0) break;
      this.windows.delete(k);
    }
  }
}

/** Single-use marks (replay caches): `claim` is true the first time a key is seen before it expires. */
export interface SingleUseMarks {
  claim(key: string, expiresAt: number, now: number): Promise<boolean>;
}

/**
 * In-memory marks, bounded like the counters (expired marks swept; the oldest dropped past the cap). The check and the
 * set happen in one synchronous step, so two copies of one token racing each other cannot both be accepted.
 */
export class MemoryMarks implements SingleUseMarks {
  private readonly marks = new Map<string, number>();
  constructor(private readonly maxKeys = 100_000) {}

  async claim(key: string, expiresAt: number, now: number): Promise<boolean> {
    const until = this.marks.get(key);
    if (until !== undefined && until > now) return false;
    this.marks.delete(key);
    this.marks.set(key, expiresAt);
    if (this.marks.size > this.maxKeys) {
      for (const [k, u] of this.marks) if (u <= now) this.marks.delete(k);
      for (const k of this.marks.keys()) {
        if (this.marks.size <= this.maxKeys) break;
        this.marks.delete(k);
      }
    }
    return true;
  }
}
