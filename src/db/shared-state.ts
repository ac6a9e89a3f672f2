// Cross-process counters and single-use marks in the database, for state several cluster processes must agree on.
import type { Database } from "./database.ts";

/** How often (in calls) expired rows are swept; a sweep is one indexed DELETE. */
const SWEEP_EVERY = 1000;

/**
 * Fixed-window hit counters shared by every process on the database (the shape of src/ratelimit's RateLimitStore).
 * Why one statement and no transaction: an upsert is atomic on its own, and taking the writer lock for every counted
 * request would serialise the cluster on its rate limiter. Used in cluster mode only; one process keeps them in memory.
 */
export class SharedWindows {
  private calls = 0;
  constructor(private readonly db: Database, private readonly prefix: string) {}

  async hit(key: string, windowMs: number, now: number): Promise<{ count: number; resetAt: number }> {
    if (++this.calls % SWEEP_EVERY === 0) await this.db.raw.run("DELETE FROM shared_windows WHERE reset_at <= ?", [now]);
    const row = await this.db.raw.get<{ count: number; reset_at: number }>(
      `INSERT INTO shared_windows (key, count, reset_at) VALUES (?, 1, ?)
       ON CONFLICT (key) DO UPDATE SET
         count = CASE WHEN shared_windows.reset_at <= ? THEN 1 ELSE shared_windows.count + 1 END,
         reset_at = CASE WHEN shared_windows.reset_at <= ? THEN excluded.reset_at ELSE shared_windows.reset_at END
       RETURNING count, reset_at`,
      [this.prefix + key, now + windowMs, now, now],
    );
    return { count: Number(row!.count), resetAt: Number(row!.reset_at) };
  }
}

/** Single-use marks (token ids, proof ids): `claim` is true the first time a key is seen before it expires. */
export class SharedMarks {
  private calls = 0;
  constructor(private readonly db: Database, private readonly prefix: string) {}

  async claim(key: string, expiresAt: number, now: number): Promise<boolean> {
    if (++this.calls % SWEEP_EVERY === 0) await this.db.raw.run("DELETE FROM shared_marks WHERE expires_at <= ?", [now]);
    const row = await this.db.raw.get(
      `INSERT INTO shared_marks (key, expires_at) VALUES (?, ?)
       ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE shared_marks.expires_at <= ?
       RETURNING key`,
      [this.prefix + key, expiresAt, now],
    );
    return row !== undefined;
  }
}
