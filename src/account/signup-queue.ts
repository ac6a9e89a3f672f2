// The approval queue as com.atproto.temp.checkSignupQueue reports it (10 §6): activated, place in the queue, an estimate.
import { and, count, desc, eq, gte, isNotNull, lt, or } from "drizzle-orm";
import type { Orm } from "../db/database.ts";
import { accounts } from "./schema.ts";

const DAY_MS = 86_400_000;
/** the estimate uses at most this many recent approvals, from this window, and none with fewer than MIN_APPROVALS */
const RECENT_APPROVALS = 20;
const WINDOW_MS = 30 * DAY_MS;
const MIN_APPROVALS = 5;

export interface SignupQueueView {
  activated: boolean;
  placeInQueue?: number;
  estimatedTimeMs?: number;
}

export async function signupQueueOf(orm: Orm, did: string, now: number): Promise<SignupQueueView> {
  const me = await orm.select({ status: accounts.status, createdAt: accounts.createdAt }).from(accounts).where(eq(accounts.did, did)).get();
  if (!me || me.status !== "pending") return { activated: me?.status === "approved" };
  // 1-based among pending accounts by createdAt; equal timestamps are ordered by DID so every place is unique
  const ahead = (await orm
    .select({ n: count() })
    .from(accounts)
    .where(and(eq(accounts.status, "pending"), or(lt(accounts.createdAt, me.createdAt), and(eq(accounts.createdAt, me.createdAt), lt(accounts.did, did)))))
    .get())!.n;
  const placeInQueue = ahead + 1;
  const since = new Date(now - WINDOW_MS).toISOString();
  const recent = (await orm
    .select({ at: accounts.approvedAt })
    .from(accounts)
    .where(and(isNotNull(accounts.approvedAt), gte(accounts.approvedAt, since)))
    .orderBy(desc(accounts.approvedAt))
    .limit(RECENT_APPROVALS)
    .all())
    .map((r) => Date.parse(r.at!))
    .filter((t) => Number.isFinite(t));
  if (recent.length < MIN_APPROVALS) return { activated: false, placeInQueue };
  // mean interval between consecutive approvals = span / (n - 1)
  const meanMs = (recent[0]! - recent[recent.length - 1]!) / (recent.length - 1);
  return { activated: false, placeInQueue, estimatedTimeMs: Math.round(placeInQueue * meanMs) };
}
