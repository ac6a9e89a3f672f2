// communityRepoWriter: writes community records through the repo pipeline (03 §3) with the projections
// (community_members, community_roles, the settings/profile mirrors on `communities`) updated in the SAME
// transaction as the commit (03 §1). Every dedicated community method writes through it.
import { and, eq } from "drizzle-orm";
import type { Tx } from "../db/database.ts";
import type { RepoService, WriteOp, WriteResult } from "../repo/service.ts";
import { communities, communityMembers, communityRoles } from "./schema.ts";
import { COL } from "./permissions.ts";
import { proposalProjectionInTx } from "./proposal-store.ts";
import { attestationProjectionInTx } from "./attestation-store.ts";

export interface CommunityWriteOptions {
  swapCommit?: string;
  /** the commit's rev, chosen by the caller with `swapCommit` (proposals name it as `appliedRev`: repo WriteOptions.rev) */
  rev?: string;
  /**
   * Runs inside the commit transaction after the commit and the projections are written; throwing rolls the
   * whole write back. Use it for conditional checks on `tx.orm` (race-free: writes are serialised), audit rows
   * (`audit.writeInTx`), join-request updates and extra events.
   */
  inTx?: (tx: Tx, result: WriteResult) => void | Promise<void>;
}

type Rec = Record<string, unknown>;

/** Applies the projection changes of `ops` (already committed in `tx`) for community `did`. */
export async function applyProjectionsInTx(tx: Tx, did: string, ops: WriteOp[]): Promise<void> {
  for (const op of ops) {
    const rkey = op.rkey;
    if (rkey === undefined) continue; // TID-keyed creates (attestations, proposals) have no projection here
    const rec = op.action === "delete" ? undefined : (op.record as Rec);
    switch (op.collection) {
      case COL.member:
        if (!rec) await tx.orm.delete(communityMembers).where(and(eq(communityMembers.communityDid, did), eq(communityMembers.memberDid, rkey))).run();
        else
          await tx.orm.insert(communityMembers)
            .values({ communityDid: did, memberDid: rkey, roleRkey: String(rec.roleRkey), joinedAt: String(rec.joinedAt) })
            .onConflictDoUpdate({ target: [communityMembers.communityDid, communityMembers.memberDid], set: { roleRkey: String(rec.roleRkey), joinedAt: String(rec.joinedAt) } })
            .run();
        break;
      case COL.role:
        if (!rec) await tx.orm.delete(communityRoles).where(and(eq(communityRoles.communityDid, did), eq(communityRoles.rkey, rkey))).run();
        else {
          const values = { name: String(rec.name), permissions: JSON.stringify(rec.permissions ?? []) };
          await tx.orm.insert(communityRoles).values({ communityDid: did, rkey, ...values })
            .onConflictDoUpdate({ target: [communityRoles.communityDid, communityRoles.rkey], set: values }).run();
        }
        break;
      case COL.settings:
        if (rec)
          await tx.orm.update(communities).set({
            visibility: rec.visibility as "public" | "private",
            joinPolicy: rec.joinPolicy as "open" | "approval",
            governanceModel: String(rec.governanceModel),
          }).where(eq(communities.did, did)).run();
        break;
      case COL.proposal:
        await proposalProjectionInTx(tx, did, rkey, rec);
        break;
      case COL.attestation:
        await attestationProjectionInTx(tx, did, rkey, rec);
        break;
      case COL.profile:
        if (rec) await tx.orm.update(communities).set({ displayName: String(rec.displayName), description: String(rec.description ?? "") }).where(eq(communities.did, did)).run();
        break;
    }
  }
}

/** Managed writes to community repos. Construct once (CommunityService exposes it as `communities.writer`). */
export class CommunityRepoWriter {
  constructor(private readonly repo: RepoService) {}

  /**
   * One commit of `ops` to community `did`, managed collections allowed. Callers must have passed the gate
   * (status + permission) first; re-check anything race-sensitive in `opts.inTx`.
   */
  write(did: string, ops: WriteOp[], opts: CommunityWriteOptions = {}): Promise<WriteResult> {
    return this.repo.write(did, ops, this.options(did, ops, opts));
  }

  /** As write, in the caller's transaction (account deletion removes the account from every community at once). */
  writeInTx(tx: Tx, did: string, ops: WriteOp[], opts: CommunityWriteOptions = {}): Promise<WriteResult> {
    return this.repo.writeInTx(tx, did, ops, this.options(did, ops, opts));
  }

  private options(did: string, ops: WriteOp[], opts: CommunityWriteOptions) {
    return {
      managed: true,
      ...(opts.swapCommit ? { swapCommit: opts.swapCommit } : {}),
      ...(opts.rev ? { rev: opts.rev } : {}),
      inTx: async (tx: Tx, result: WriteResult) => {
        await applyProjectionsInTx(tx, did, ops);
        await opts.inTx?.(tx, result);
      },
    };
  }
}
