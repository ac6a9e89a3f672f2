// Per-IP rate limiters (spec 06 §11): global plus the named endpoint buckets, with RateLimit-* headers.
import type { RateLimitConfig } from "../../config/types.ts";
import { rateLimitExceeded } from "../errors.ts";
import { cidrMatcher } from "./ip.ts";
import type { RateLimitStore } from "../../ratelimit/store.ts";

/** `proxy` is keyed by account DID, not IP (10 §1.5); the others by IP. */
export type RateLimitBucket = "auth" | "registration" | "create" | "discovery" | "proxy";

const MINUTE = 60_000;
/** Window lengths per limiter; the maximum counts come from config.rateLimits. */
export const RATE_LIMIT_WINDOWS_MS: Record<RateLimitBucket | "global", number> = {
  global: MINUTE,
  auth: 15 * MINUTE,
  registration: 60 * MINUTE,
  create: 60 * MINUTE,
  discovery: MINUTE,
  proxy: 5 * MINUTE,
};

export class IpRateLimiter {
  private readonly exempt: (ip: string) => boolean;

  constructor(
    private readonly config: RateLimitConfig,
    private readonly store: RateLimitStore,
    private readonly now: () => number = Date.now,
  ) {
    this.exempt = cidrMatcher(config.exemptCidrs);
  }

  /**
   * Count a hit for `ip` against `bucket`. Returns the RateLimit-* headers to send, or undefined when the
   * limiter does not apply (disabled, exempt). Throws 429 RateLimitExceeded (with Retry-After) when over.
   */
  async consume(bucket: RateLimitBucket | "global", ip: string): Promise<Record<string, string> | undefined> {
    if (!this.config.enabled || this.exempt(ip)) return undefined;
    const limit = this.config[bucket];
    const now = this.now();
    const { count, resetAt } = await this.store.hit(`${bucket}:${ip}`, RATE_LIMIT_WINDOWS_MS[bucket], now);
    const resetSec = Math.max(1, Math.ceil((resetAt - now) / 1000));
    const headers = {
      "RateLimit-Limit": String(limit),
      "RateLimit-Remaining": String(Math.max(0, limit - count)),
      "RateLimit-Reset": String(resetSec),
    };
    if (count > limit) throw rateLimitExceeded(resetSec, headers);
    return headers;
  }
}
