// The per-IP limits of the unauthenticated mail-token methods (06 §11 "password reset"), one limiter per server.
import type { AppContext } from "../../../../context.ts";
import { IpWindowLimiter } from "../../../../xrpc/ratelimit/windows.ts";

const MIN = 60_000;
/** requestPasswordReset: 15/h and 50/day per IP */
export const RESET_REQUEST_WINDOWS = [{ ms: 60 * MIN, max: 15 }, { ms: 24 * 60 * MIN, max: 50 }] as const;
/** resetPassword and server.deleteAccount (one shared budget): 50 per 5 min per IP */
export const TOKEN_USE_WINDOWS = [{ ms: 5 * MIN, max: 50 }] as const;

const limiters = new WeakMap<AppContext, IpWindowLimiter>();

export function mailIpLimit(ctx: AppContext, ip: string, which: "reset-request" | "token-use"): Promise<void> {
  let limiter = limiters.get(ctx);
  if (!limiter) {
    limiter = new IpWindowLimiter(ctx.config.rateLimits, ctx.services.clock, ctx.services.counters("mail-ip"));
    limiters.set(ctx, limiter);
  }
  return limiter.consume(which, ip, which === "reset-request" ? RESET_REQUEST_WINDOWS : TOKEN_USE_WINDOWS);
}
