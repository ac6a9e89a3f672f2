// Eligible voters (spec 05 §5) and the delegation map (§7), recomputed at every evaluation from the projections.
import { and, eq, inArray } from "drizzle-orm";
import type { Orm } from "../db/database.ts";
import { collectionRecordsOn } from "../repo/read.ts";
import { accounts } from "../account/schema.ts";
import { communityMembers, communityRoles, type CommunityRow } from "./schema.ts";
import { COL } from "./permissions.ts";
import type { GovernanceConfig } from "./governance-rules.ts";

/** Liveness of members hosted elsewhere (04 §9), resolved before the commit transaction (it may fetch a DID document). */
export type RemoteLiveness = ReadonlyMap<string, boolean>;

/** Members whose role grants community.governance.write (owner always), before the activity check. */
async function candidates(orm: Orm, community: Pick<CommunityRow, "did" | "ownerDid">, cfg: Pick<GovernanceConfig, "voterRole">): Promise<string[]> {
  const rows = await orm.select({ did: communityMembers.memberDid, roleRkey: communityMembers.roleRkey, permissions: communityRoles.permissions })
    .from(communityMembers)
    .leftJoin(communityRoles, and(eq(communityRoles.communityDid, communityMembers.communityDid), eq(communityRoles.rkey, communityMembers.roleRkey)))
    .where(eq(communityMembers.communityDid, community.did)).all();
  return rows.filter((r) => {
    if (r.did === community.ownerDid) return true;
    if (cfg.voterRole !== undefined && r.roleRkey !== cfg.voterRole) return false;
    const perms = r.permissions ? (JSON.parse(r.permissions) as unknown[]) : [];
    return perms.includes("community.governance.write");
  }).map((r) => r.did);
}

/** DIDs among `dids` that are not local accounts (remote members), for pre-resolving their liveness. */
export async function remoteAmong(orm: Orm, dids: readonly string[]): Promise<string[]> {
  if (!dids.length) return [];
  const local = new Set((await orm.select({ did: accounts.did }).from(accounts).where(inArray(accounts.did, [...dids])).all()).map((r) => r.did));
  return dids.filter((d) => !local.has(d));
}

/** The candidates before liveness: what the caller pre-resolves remote liveness for. */
export const voterCandidates = candidates;

/**
 * E (05 §5): candidates that are currently active: a local account in status `approved`, or a remote actor whose
 * DID document still resolves (`remote`; one unknown to the map, e.g. joined since it was built, counts as active).
 */
export async function eligibleVoters(orm: Orm, community: Pick<CommunityRow, "did" | "ownerDid">, cfg: Pick<GovernanceConfig, "voterRole">, remote: RemoteLiveness): Promise<Set<string>> {
  const dids = await candidates(orm, community, cfg);
  if (!dids.length) return new Set();
  const status = new Map((await orm.select({ did: accounts.did, status: accounts.status }).from(accounts).where(inArray(accounts.did, dids)).all()).map((r) => [r.did, r.status]));
  return new Set(dids.filter((d) => (status.has(d) ? status.get(d) === "approved" : remote.get(d) ?? true)));
}

/** delegator → delegate, from the delegation records (rkey = delegator DID; a community holds few). */
export async function delegationMap(orm: Orm, communityDid: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const r of await collectionRecordsOn(orm, communityDid, COL.delegation)) {
    const to = (r.value as { delegateDid?: unknown } | null)?.delegateDid;
    if (typeof to === "string") out.set(r.rkey, to);
  }
  return out;
}
