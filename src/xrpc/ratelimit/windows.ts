// Per-IP limits with several fixed windows (06 §11 "password reset": 60 min / 15 and 24 h / 50; 5 min / 50), for the
// few methods whose limits are not one of the configurable buckets. Same exemptions as the IP limiter.
import type { RateLimitConfig } from "../../config/types.ts";
import { MemoryRateLimitStore, type RateLimitStore } from "../../ratelimit/store.ts";
import { rateLimitExceeded } from "../errors.ts";
import { cidrMatcher } from "./ip.ts";

export interface IpWindow {
  ms: number;
  max: number;
}

export class IpWindowLimiter {
  private readonly exempt: (ip: string) => boolean;
  constructor(
    private readonly config: Pick<RateLimitConfig, "enabled" | "exemptCidrs">,
    private readonly now: () => number,
    private readonly store: RateLimitStore = new MemoryRateLimitStore(),
  ) {
    this.exempt = cidrMatcher(config.exemptCidrs);
  }

  /** Counts one hit of `ip` in every window of `name`; 429 RateLimitExceeded (Retry-After) when any is over. */
  async consume(name: string, ip: string, windows: readonly IpWindow[]): Promise<void> {
    if (!this.config.enabled || this.exempt(ip)) return;
    const now = this.now();
    let over: number | undefined;
    for (const w of windows) {
      const { count, resetAt } = await this.store.hit(`${name}:${w.ms}:${ip}`, w.ms, now);
      if (count > w.max) over = Math.max(over ?? 0, Math.max(1, Math.ceil((resetAt - now) / 1000)));
    }
    if (over !== undefined) throw rateLimitExceeded(over);
  }
}
