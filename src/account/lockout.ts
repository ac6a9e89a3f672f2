// Login failure counting and the lockout ladder (spec 01 §9.4).
import { eq } from "drizzle-orm";
import type { Database } from "../db/database.ts";
import { loginFailures } from "./schema.ts";

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

/** Lock duration when the failure count reaches `count` (5 → 1 min, 10 → 5 min, 15 → 30 min, 20+ every 5 → 2 h). */
export function lockDurationMs(count: number): number | undefined {
  if (count < 5 || count % 5 !== 0) return undefined;
  if (count === 5) return MIN;
  if (count === 10) return 5 * MIN;
  if (count === 15) return 30 * MIN;
  return 120 * MIN;
}

export class Lockout {
  constructor(private readonly db: Database, private readonly now: () => number = Date.now) {}

  /** Seconds until the key unlocks, or undefined when it is not locked. */
  async lockedFor(key: string): Promise<number | undefined> {
    const row = await this.db.orm.select().from(loginFailures).where(eq(loginFailures.key, key)).get();
    const now = this.now();
    if (!row?.lockedUntil || row.lockedUntil <= now) return undefined;
    return Math.max(1, Math.ceil((row.lockedUntil - now) / 1000));
  }

  async recordFailure(key: string): Promise<void> {
    const now = this.now();
    await this.db.transaction(async (tx) => {
      const row = await tx.orm.select().from(loginFailures).where(eq(loginFailures.key, key)).get();
      // A counter whose last failure is older than 24 h restarts from 0.
      const count = (row && now - row.lastFailureAt < DAY ? row.count : 0) + 1;
      const lock = lockDurationMs(count);
      // raw SQL: drizzle's SQLite dialect table-qualifies the ON CONFLICT target, which PostgreSQL refuses
      await tx.raw.run(
        `INSERT INTO login_failures (key, count, last_failure_at, locked_until) VALUES (?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET count = excluded.count, last_failure_at = excluded.last_failure_at, locked_until = excluded.locked_until`,
        [key, count, now, lock ? now + lock : null],
      );
    });
  }

  async reset(key: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.orm.delete(loginFailures).where(eq(loginFailures.key, key)).run();
    });
  }
}
