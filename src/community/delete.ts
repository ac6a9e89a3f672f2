// Community deletion (spec 04 §4, 06 §2): the export rule, the delete transaction, the DID tombstone.
import { eq } from "drizzle-orm";
import type { Tx } from "../db/database.ts";
import { forbidden, DomainError } from "../errors.ts";
import { communities, communityMembers, communityRoles, joinRequests, type CommunityRow } from "./schema.ts";
import { communityStatusGate } from "./gate.ts";
import { removeInstructions } from "./domain.ts";
import type { CommunityOpsCtx } from "./service.ts";

/** `deleteHooks`: extra cleanup run inside the delete transaction, registered with `onDeleteInTx`. */
export async function deleteCommunity(
  ctx: CommunityOpsCtx,
  identifier: string,
  caller: { did: string; roles: readonly string[] },
  deleteHooks: ReadonlyArray<(tx: Tx, did: string) => void | Promise<void>>,
): Promise<{ success: true; instructions?: string }> {
  const { svc } = ctx;
  const { db, identity, sequencer, repo, audit, tombstones } = ctx.deps;
  const c = await svc.resolve(identifier);
  const isOwner = c.ownerDid === caller.did;
  const byAdmin = !isOwner && caller.roles.includes("admin");
  if (!isOwner && !byAdmin) throw forbidden("Only the owner or an admin can delete a community");
  communityStatusGate(c, { write: true, action: "delete" });
  if (byAdmin && !(await exportRuleSatisfied(ctx, c))) {
    throw new DomainError("conflict", "ExportRequired",
      "The owner has not exported the community since its latest commit. Ask the owner to export it (community.export), or suspend it and wait for the export grace period.");
  }
  // 02 §4: a did:plc community's tombstone only while its DID document still names this server (checked again before submission)
  const tombstone = c.didMethod === "plc" && (await tombstones.shouldQueue(c.did));
  await db.transaction(async (tx) => {
    await repo.deleteInTx(tx, c.did);
    await tx.orm.delete(communityMembers).where(eq(communityMembers.communityDid, c.did)).run();
    await tx.orm.delete(communityRoles).where(eq(communityRoles.communityDid, c.did)).run();
    await tx.orm.delete(joinRequests).where(eq(joinRequests.communityDid, c.did)).run();
    for (const hook of deleteHooks) await hook(tx, c.did);
    // the #account event goes out while the row still exists (silencing rules read it), then the row goes
    await sequencer.accountInTx(tx, c.did, false, "deleted");
    await tx.orm.delete(communities).where(eq(communities.did, c.did)).run();
    // the outbox row takes the recovery key (plc) before the keys go; did:web holds no recovery key
    if (tombstone) await tombstones.queueInTx(tx, c.did, "community");
    await identity.deleteKeysInTx(tx, c.did);
    await audit.writeInTx(tx, { action: "community.delete", actorType: "account", actorDid: caller.did, targetDid: c.did, meta: { handle: svc.handleOf(c), didMethod: c.didMethod, byAdmin } });
  }, { lockKey: c.did });
  if (c.didMethod === "web") return { success: true, instructions: removeInstructions(c.domain ?? c.did.slice("did:web:".length)) };
  return { success: true };
}

/**
 * 06 §2: an owner export made at (or after) the repo's current revision, or continuously suspended for
 * TAKEDOWN_EXPORT_GRACE_DAYS. Revisions, not timestamps: a commit in the same millisecond as the export still
 * has a later rev (TIDs only grow within a repo), so it makes the export stale.
 */
export async function exportRuleSatisfied(ctx: CommunityOpsCtx, c: CommunityRow): Promise<boolean> {
  const head = await ctx.deps.repo.head(c.did);
  if (c.ownerExportedRev && (!head || c.ownerExportedRev >= head.rev)) return true;
  const graceMs = ctx.deps.config.takedownExportGraceDays * 86_400_000;
  return !!c.suspendedAt && ["suspended", "takendown"].includes(c.status) && ctx.now() - Date.parse(c.suspendedAt) >= graceMs;
}
