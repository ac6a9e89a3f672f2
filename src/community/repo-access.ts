// Community repos on the generic com.atproto.repo/sync paths (spec 03 §3 writes, §9 reads), used by the repo access policy.
import type { AuthResult } from "../caller.ts";
import { DomainError, forbidden } from "../errors.ts";
import type { CommunityRow } from "./schema.ts";
import { communityStatusGate, isStaff, membershipOf, requirePermission, type GateCtx } from "./gate.ts";
import type { Permission } from "./permissions.ts";

import type { RepoActivity } from "../repo/access-policy.ts";

/** §9 table for communities: what getRepoStatus/listRepos say; null → RepoNotFound / not listed. */
export function communityActivity(c: Pick<CommunityRow, "status" | "visibility">): RepoActivity | null {
  switch (c.status) {
    case "active":
    case "suspended":
      return c.visibility === "private" ? { active: false, status: "deactivated" } : { active: true };
    case "takendown":
      return { active: false, status: "takendown" };
    case "migrated":
      return { active: false, status: "deactivated" };
    default:
      return null;
  }
}

/**
 * Read availability (§9): private → RepoDeactivated unless a member; takendown → RepoTakendown, migrated →
 * RepoDeactivated, unless the owner; staff always bypass. The firehose never bypasses (see hiddenFromBackfill).
 */
export async function assertCommunityReadable(gate: GateCtx, c: CommunityRow, auth: AuthResult): Promise<void> {
  if (isStaff(auth)) return;
  const caller = auth.kind === "account" ? auth.did : undefined;
  const isOwner = caller === c.ownerDid;
  if (c.status === "takendown" && !isOwner) throw new DomainError("invalid", "RepoTakendown", "Repo has been taken down");
  if (c.status === "migrated" && !isOwner) throw new DomainError("invalid", "RepoDeactivated", "Repo has been deactivated");
  if (c.visibility === "private" && !isOwner && !(caller && (await membershipOf(gate.db.orm, c, caller)))) {
    throw new DomainError("invalid", "RepoDeactivated", "Repo has been deactivated");
  }
}

/**
 * Generic writes to a community repo (03 §3): local accounts holding community.application.write (create/update)
 * and/or .delete; status effects from the community gate. Managed collections are refused by the repo pipeline
 * (400 naming the method).
 */
export async function assertCommunityWritable(gate: GateCtx, c: CommunityRow, auth: AuthResult, needs: ReadonlyArray<"write" | "delete">): Promise<void> {
  if (auth.kind !== "account") throw forbidden("You may only write to your own repo");
  communityStatusGate(c, { write: true, action: "write" });
  const perms: Permission[] = needs.map((n) => (n === "delete" ? "community.application.delete" : "community.application.write"));
  for (const p of new Set(perms)) await requirePermission(gate, c, auth.did, p);
}
