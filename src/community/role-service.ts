// RoleService (spec 05 §3): createRole, updateRole, deleteRole, listRoles, updateMemberRole. Each write passes the
// gate, is planned by ./roles.ts, and lands as one signed commit through the community writer with the projection,
// the in-transaction re-check and the audit row in the commit's transaction.
import { count, eq } from "drizzle-orm";
import type { Database } from "../db/database.ts";
import type { AuthResult } from "../caller.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import { DomainError } from "../errors.ts";
import { communityMembers, communityRoles, type CommunityRow } from "./schema.ts";
import { COL, isPermission, type Permission } from "./permissions.ts";
import {
  authorizeCommunityWrite, callerDid, communityStatusGate, isStaff, membershipOf, requirePermission, resolveCommunity, type GateCtx, type Membership,
} from "./gate.ts";
import { communityNotFound, communityPrivate } from "./errors.ts";
import { actorDid } from "./remote.ts";
import {
  planCreateRole, planDeleteRole, planMemberRole, planUpdateRole, recordOn, type CreateRoleInput, type RolePlan, type UpdateRoleInput,
} from "./roles.ts";
import type { CommunityService } from "./service.ts";

export interface RoleDeps extends GateCtx {
  db: Database;
  communities: Pick<CommunityService, "getRow" | "writer">;
  audit: Pick<AuditLog, "writeInTx">;
}

const DEFAULT_ORDER = ["owner", "moderator", "member"];
const uriOf = (did: string, collection: string, rkey: string) => `at://${did}/${collection}/${rkey}`;

/** Internal: the caller's role changed between planning and the commit transaction; plan again. */
class RoleRaced extends Error {}

/**
 * A write planned against a record's CID loses to a concurrent write of that record (InvalidSwap), and a plan made
 * with the caller's old permissions is stale (RoleRaced): plan again, a few times.
 */
async function withReplan<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const raced = err instanceof RoleRaced || (err instanceof DomainError && err.error === "InvalidSwap");
      if (!raced || attempt >= 3) throw err;
    }
  }
}

const samePermissions = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((p) => b.includes(p));

/**
 * Commits `plan` for `callerDid` holding `permission`: the gate runs again inside the transaction (status and the
 * caller's role may have changed since planning), then the plan's own re-check, then the audit row.
 */
async function commit(deps: RoleDeps, community: CommunityRow, actor: Membership, permission: Permission, plan: RolePlan) {
  const callerDid = actor.memberDid;
  return deps.communities.writer.write(community.did, plan.ops, {
    inTx: async (tx) => {
      const row = await deps.communities.getRow(community.did, tx.orm);
      if (!row) throw communityNotFound();
      communityStatusGate(row, { write: true });
      const { membership: now } = await requirePermission(deps, row, callerDid, permission, tx.orm);
      // the escalation guard ran with the permissions read when planning
      if (now.isOwner !== actor.isOwner || !samePermissions(now.permissions, actor.permissions)) throw new RoleRaced();
      await plan.recheckInTx(tx);
      await deps.audit.writeInTx(tx, { action: plan.audit.action, actorType: "account", actorDid: callerDid, targetDid: row.did, meta: plan.audit.meta });
    },
  });
}

async function authorize(deps: RoleDeps, identifier: string, callerDid: string, permission: Permission) {
  const { community, membership } = await authorizeCommunityWrite(deps, identifier, callerDid, permission);
  return { community, actor: { kind: "member" as const, membership: membership! } };
}

/**
 * updateMemberRole as a function (the role-assignment core, also for governance): `callerDid` (holding
 * community.member.write) gives `memberDid` the role `roleRkey` in one signed commit. A no-op (same role) writes nothing.
 */
export function assignMemberRole(deps: RoleDeps, identifier: string, callerDid: string, memberDid: string, roleRkey: string) {
  const PERM = "community.member.write" as const;
  return withReplan(async () => {
    const { community, actor } = await authorize(deps, identifier, callerDid, PERM);
    const plan = await planMemberRole(deps.db.orm, community, memberDid, roleRkey, actor);
    const uri = uriOf(community.did, COL.member, memberDid);
    // already holds the role: answer with the current record, no commit and no audit row
    if (!plan.changes) return { uri, cid: (await recordOn(deps.db.orm, community.did, COL.member, memberDid))!.cid, role: plan.roleName, roleRkey };
    const result = await commit(deps, community, actor.membership, PERM, plan);
    const item = result.results[0];
    return { uri, cid: item && item.action !== "delete" ? item.cid : "", role: plan.roleName, roleRkey };
  });
}

export class RoleService {
  constructor(private readonly deps: RoleDeps) {}

  createRole(identifier: string, auth: AuthResult, input: CreateRoleInput) {
    const me = actorDid(auth);
    return withReplan(async () => {
      const { community, actor } = await authorize(this.deps, identifier, me, "community.role.write");
      const plan = await planCreateRole(this.deps.db.orm, community, input, actor);
      const result = await commit(this.deps, community, actor.membership, "community.role.write", plan);
      const item = result.results[0]!;
      return { uri: item.uri, cid: item.action !== "delete" ? item.cid : "", rkey: plan.rkey };
    });
  }

  updateRole(identifier: string, auth: AuthResult, input: UpdateRoleInput) {
    const me = actorDid(auth);
    return withReplan(async () => {
      const { community, actor } = await authorize(this.deps, identifier, me, "community.role.write");
      const plan = await planUpdateRole(this.deps.db.orm, community, input, actor);
      const result = await commit(this.deps, community, actor.membership, "community.role.write", plan);
      const item = result.results[0]!;
      return { uri: item.uri, cid: item.action !== "delete" ? item.cid : "" };
    });
  }

  deleteRole(identifier: string, auth: AuthResult, rkey: string) {
    const me = actorDid(auth);
    return withReplan(async () => {
      const { community, actor } = await authorize(this.deps, identifier, me, "community.role.write");
      await commit(this.deps, community, actor.membership, "community.role.write", await planDeleteRole(this.deps.db.orm, community, rkey, actor));
      return { success: true as const };
    });
  }

  updateMemberRole(identifier: string, auth: AuthResult, memberDid: string, roleRkey: string) {
    return assignMemberRole(this.deps, identifier, actorDid(auth), memberDid, roleRkey);
  }

  /** owner, moderator, member, then custom roles by rkey; a private community needs community.role.read (staff may read). */
  async listRoles(identifier: string, auth: AuthResult) {
    const { db } = this.deps;
    const c = await resolveCommunity(this.deps, identifier);
    const me = callerDid(auth);
    const staff = isStaff(auth);
    communityStatusGate(c, { write: false, bypass: staff || me === c.ownerDid });
    if (c.visibility === "private" && !staff) {
      const membership = me ? await membershipOf(db.orm, c, me) : undefined;
      if (!membership?.permissions.includes("community.role.read")) throw communityPrivate();
    }
    const roles = await db.orm.select().from(communityRoles).where(eq(communityRoles.communityDid, c.did)).all();
    const counts = new Map(
      (await db.orm.select({ rkey: communityMembers.roleRkey, n: count() }).from(communityMembers)
        .where(eq(communityMembers.communityDid, c.did)).groupBy(communityMembers.roleRkey).all()).map((r) => [r.rkey, r.n]),
    );
    const rank = (rkey: string) => (DEFAULT_ORDER.includes(rkey) ? DEFAULT_ORDER.indexOf(rkey) : DEFAULT_ORDER.length);
    roles.sort((a, b) => rank(a.rkey) - rank(b.rkey) || (a.rkey < b.rkey ? -1 : a.rkey > b.rkey ? 1 : 0));
    const out = [];
    for (const r of roles) {
      const rec = (await recordOn(db.orm, c.did, COL.role, r.rkey))?.value;
      out.push({
        uri: uriOf(c.did, COL.role, r.rkey),
        rkey: r.rkey,
        name: r.name,
        ...(typeof rec?.description === "string" && rec.description ? { description: rec.description } : {}),
        permissions: (JSON.parse(r.permissions) as string[]).filter(isPermission),
        memberCount: counts.get(r.rkey) ?? 0,
      });
    }
    return { roles: out };
  }
}
