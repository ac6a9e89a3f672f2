// The proposals projection (community_proposals, migration 16): kept by the community writer in the commit
// transaction, read for listProposals paging, the 20-open limit and the expiry sweep.
import { and, asc, count, desc, eq, lt, lte } from "drizzle-orm";
import type { Orm, Tx } from "../db/database.ts";
import { communityProposals, type ProposalStatus } from "./governance-schema.ts";

type Rec = Record<string, unknown>;

/** Called by applyProjectionsInTx for every proposal write (delete: the community repo is going away or imported over). */
export async function proposalProjectionInTx(tx: Tx, did: string, rkey: string, rec: Rec | undefined): Promise<void> {
  if (!rec) {
    await tx.orm.delete(communityProposals).where(and(eq(communityProposals.communityDid, did), eq(communityProposals.rkey, rkey))).run();
    return;
  }
  // raw SQL: drizzle's SQLite dialect writes the conflict target table-qualified, which PostgreSQL refuses
  await tx.raw.run(
    "INSERT INTO community_proposals (community_did, rkey, status, expires_at) VALUES (?, ?, ?, ?) " +
      "ON CONFLICT (community_did, rkey) DO UPDATE SET status = excluded.status, expires_at = excluded.expires_at",
    [did, rkey, String(rec.status), String(rec.expiresAt)],
  );
}

export async function openProposalCount(orm: Orm, did: string): Promise<number> {
  return (await orm.select({ n: count() }).from(communityProposals).where(and(eq(communityProposals.communityDid, did), eq(communityProposals.status, "open"))).get())?.n ?? 0;
}

/** rkeys of the open proposals of `did` (all of them: at most 20). */
export async function openProposalRkeys(orm: Orm, did: string): Promise<string[]> {
  return (await orm.select({ rkey: communityProposals.rkey }).from(communityProposals)
    .where(and(eq(communityProposals.communityDid, did), eq(communityProposals.status, "open"))).all()).map((r) => r.rkey);
}

/** Open proposals past `nowIso` (ISO strings of one clock sort like the instants), oldest expiry first. */
export async function expiredOpenProposals(orm: Orm, nowIso: string, did?: string, limit = 200): Promise<Array<{ communityDid: string; rkey: string }>> {
  const where = and(eq(communityProposals.status, "open"), lte(communityProposals.expiresAt, nowIso), ...(did ? [eq(communityProposals.communityDid, did)] : []));
  return await orm.select({ communityDid: communityProposals.communityDid, rkey: communityProposals.rkey }).from(communityProposals)
    .where(where).orderBy(asc(communityProposals.expiresAt)).limit(limit).all();
}

/** One page of rkeys, newest first (TID rkeys sort by time); the next page holds rkeys strictly below the cursor. */
export async function proposalPage(orm: Orm, did: string, opts: { status?: ProposalStatus; limit: number; cursor?: string }): Promise<{ rkeys: string[]; cursor?: string }> {
  const rows = await orm.select({ rkey: communityProposals.rkey }).from(communityProposals)
    .where(and(
      eq(communityProposals.communityDid, did),
      ...(opts.status ? [eq(communityProposals.status, opts.status)] : []),
      ...(opts.cursor !== undefined ? [lt(communityProposals.rkey, opts.cursor)] : []),
    ))
    .orderBy(desc(communityProposals.rkey)).limit(opts.limit + 1).all();
  const more = rows.length > opts.limit;
  const rkeys = rows.slice(0, opts.limit).map((r) => r.rkey);
  return { rkeys, ...(more ? { cursor: rkeys[rkeys.length - 1] } : {}) };
}

/** community.delete: the projection goes with the repo (registered with CommunityService.onDeleteInTx). */
export async function dropProposalsInTx(tx: Tx, did: string): Promise<void> {
  await tx.orm.delete(communityProposals).where(eq(communityProposals.communityDid, did)).run();
}
