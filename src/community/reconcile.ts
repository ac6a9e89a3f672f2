// Reconciler for community creations a crash left in `creating` (04 §2, like the accounts' one of 02 §4): tombstone, free the name.
import { and, eq, lt } from "drizzle-orm";
import { communities } from "./schema.ts";
import type { CommunityOpsCtx } from "./service.ts";

/** A `creating` row older than this belongs to a crashed creation even in a process that started before it. */
export const COMMUNITY_ORPHAN_AFTER_MS = 10 * 60_000;

/**
 * Removes orphaned `creating` community rows and returns how many it removed. A row is an orphan when it
 * was reserved before this process started (the data-dir lock means no other process can be creating it,
 * so a restart frees every name at once), or when it is older than COMMUNITY_ORPHAN_AFTER_MS (a creation
 * stuck that long has failed). Rows reserved by this process more recently may still be in flight and are
 * left alone: deleting one mid-creation would race its finalize.
 * The DID is tombstoned with the stored recovery key if the directory accepted the genesis; then the
 * reservation (row, keys, any repo rows) goes in one transaction. A directory that is down leaves the row
 * for the next run. Idempotent.
 */
export async function reconcileCreatingCommunities(ctx: CommunityOpsCtx, processStartedAt: number): Promise<number> {
  const { db, identity, repo, audit, logger } = ctx.deps;
  const cutoff = new Date(Math.max(processStartedAt, ctx.now() - COMMUNITY_ORPHAN_AFTER_MS)).toISOString();
  const orphans = await db.orm.select({ did: communities.did, didMethod: communities.didMethod }).from(communities)
    .where(and(eq(communities.status, "creating"), lt(communities.createdAt, cutoff))).all();
  let removed = 0;
  for (const { did, didMethod } of orphans) {
    try {
      // did:web reservations are finalized in their reserving transaction, so only did:plc has a directory entry.
      const outcome = didMethod === "plc" ? await identity.tombstone(did) : "not-found";
      await db.transaction(async (tx) => {
        // conditional on `creating`: a row that became active meanwhile is never removed
        const gone = await tx.orm.delete(communities).where(and(eq(communities.did, did), eq(communities.status, "creating")))
          .returning({ did: communities.did }).all();
        if (!gone.length) return;
        await identity.deleteKeysInTx(tx, did);
        await repo.deleteInTx(tx, did);
        await audit.writeInTx(tx, { action: "community.orphanRemoved", actorType: "system", targetDid: did, meta: { plc: outcome } });
        removed++;
      }, { lockKey: did });
    } catch (err) {
      logger.warn("orphaned community creation not reconciled yet", { did, err: err instanceof Error ? err.message : String(err) });
    }
  }
  return removed;
}
