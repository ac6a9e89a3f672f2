// Per-account limits of the mail methods (06 §11 "email", "password reset"), counted from their audit rows so they
// survive restarts and follow the server clock.
import { and, asc, eq, gt } from "drizzle-orm";
import type { Orm } from "../db/database.ts";
import { auditLog } from "../audit/schema.ts";
import { rateLimitExceeded } from "../errors.ts";

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export interface LimitWindow {
  ms: number;
  max: number;
}

/** 5/h and 15/day: requestEmailConfirmation, requestEmailUpdate. */
export const EMAIL_WINDOWS: readonly LimitWindow[] = [{ ms: HOUR_MS, max: 5 }, { ms: DAY_MS, max: 15 }];
/** 5/h: requestAccountDelete, requestPlcOperationSignature. */
export const HOURLY_5: readonly LimitWindow[] = [{ ms: HOUR_MS, max: 5 }];
/** 3/h per account: requestPasswordReset (over it the call still answers 200, without a mail). */
export const RESET_WINDOWS: readonly LimitWindow[] = [{ ms: HOUR_MS, max: 3 }];

/** Seconds until one more `action` on `did` fits every window, or undefined when it fits now. */
export async function overAccountLimit(orm: Orm, did: string, action: string, windows: readonly LimitWindow[], now: number): Promise<number | undefined> {
  let wait: number | undefined;
  for (const w of windows) {
    const since = new Date(now - w.ms).toISOString();
    const rows = await orm.select({ at: auditLog.createdAt }).from(auditLog)
      .where(and(eq(auditLog.action, action), eq(auditLog.targetDid, did), gt(auditLog.createdAt, since)))
      .orderBy(asc(auditLog.createdAt)).all();
    if (rows.length < w.max) continue;
    // the window frees a slot when its oldest counted row leaves it
    const sec = Math.max(1, Math.ceil((Date.parse(rows[rows.length - w.max]!.at) + w.ms - now) / 1000));
    wait = Math.max(wait ?? 0, sec);
  }
  return wait;
}

/** Throws 429 RateLimitExceeded (Retry-After) when one more `action` would pass a window; `enabled` = RATE_LIMITS_ENABLED. */
export async function assertAccountLimit(orm: Orm, did: string, action: string, windows: readonly LimitWindow[], now: number, enabled: boolean): Promise<void> {
  if (!enabled) return;
  const wait = await overAccountLimit(orm, did, action, windows, now);
  if (wait !== undefined) throw rateLimitExceeded(wait);
}
