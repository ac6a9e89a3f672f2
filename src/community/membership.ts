// Membership (spec 04 §5): MembershipService, for join, leave, resolveJoinRequest, removeMember and the member lists.
// Every write passes the one gate (gate.ts), writes member/delegation records only through `communities.writer`, and
// re-checks inside the commit transaction (`inTx`) anything a concurrent request could have changed since the gate ran.
import { and, eq } from "drizzle-orm";
import type { Database, Orm, Tx } from "../db/database.ts";
import type { AuthResult } from "../caller.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { RepoService, WriteOp } from "../repo/service.ts";
import { collectionRecordsOn } from "../repo/read.ts";
import { accounts } from "../account/schema.ts";
import { forbidden, invalidRequest, DomainError } from "../errors.ts";
import { communityRoles, joinRequests, type CommunityRow } from "./schema.ts";
import { COL, PERMISSIONS, isPermission, type Permission } from "./permissions.ts";
import { authorizeCommunityWrite, communityStatusGate, membershipOf, requirePermission, type CommunityAction, type GateCtx, type Membership } from "./gate.ts";
import { communityNotFound } from "./errors.ts";
import { actorDid, type RemoteMembers } from "./remote.ts";
import { listJoinRequests, listMembers, type MemberPage } from "./membership-lists.ts";
import type { CommunityService } from "./service.ts";
import {
  alreadyMember, alreadyRequested, alreadyResolved, joinRequestNotFound, memberNotFound, MembershipRaced, ownerCannotLeave,
} from "./membership-errors.ts";

/** What the membership paths use: the gate's lookups, the community writer, the repo's reads, audit, remote actors. */
export interface MembershipDeps extends GateCtx {
  db: Database;
  communities: Pick<CommunityService, "getRow" | "writer" | "accountHandle" | "memberCount">;
  repo: Pick<RepoService, "getRecord">;
  audit: Pick<AuditLog, "writeInTx">;
  remote: Pick<RemoteMembers, "actor" | "memberHandle">;
}

const nowIso = () => new Date().toISOString();

/** Plans are made outside the transaction; when inTx finds they went stale it throws MembershipRaced and we plan again. */
async function withReplan<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof MembershipRaced)) throw err;
    }
  }
  throw invalidRequest("The community changed concurrently; try again");
}

/** The gate again, inside the write transaction: status (and the caller's permission) may have changed meanwhile. */
async function regateInTx(deps: MembershipDeps, tx: Tx, communityDid: string, action: CommunityAction, caller?: string, permission?: Permission): Promise<CommunityRow> {
  const row = await deps.communities.getRow(communityDid, tx.orm);
  if (!row) throw communityNotFound();
  communityStatusGate(row, { write: true, action });
  if (permission) await requirePermission(deps, row, caller, permission, tx.orm);
  return row;
}

/** A local account may be admitted only while it is active (`approved`). */
export async function accountIsActive(orm: Orm, did: string): Promise<boolean> {
  return (await orm.select({ s: accounts.status }).from(accounts).where(eq(accounts.did, did)).get())?.s === "approved";
}

const needsApproval = (c: Pick<CommunityRow, "visibility" | "joinPolicy">) => c.visibility === "private" || c.joinPolicy === "approval";

const memberRecord = (did: string, handle: string, roleRkey: string, joinedAt: string) => ({ $type: COL.member, did, handle, roleRkey, joinedAt });

/**
 * rkeys (delegator DIDs) of the delegation records whose delegate is `did`, read on `orm` (pass `tx.orm` inside the
 * commit transaction). A community holds few delegations, so they are read through the repo layer and filtered here
 * rather than with a JSON query the database would have to understand.
 */
export async function delegationsTo(orm: Orm, communityDid: string, did: string): Promise<string[]> {
  return (await collectionRecordsOn(orm, communityDid, COL.delegation))
    .filter((r) => (r.value as { delegateDid?: unknown } | null)?.delegateDid === did)
    .map((r) => r.rkey);
}

const requestOf = async (orm: Orm, communityDid: string, did: string) =>
  await orm.select().from(joinRequests).where(and(eq(joinRequests.communityDid, communityDid), eq(joinRequests.did, did))).get();

// ---- join -----------------------------------------------------------------------------------------------------

/** `handle`: for the member record (default: the local account's; a remote actor's comes from remote.ts). */
function join(deps: MembershipDeps, identifier: string, callerDid: string, handle?: string): Promise<{ status: "joined" | "pending" }> {
  const { communities, audit } = deps;
  const audited = (tx: Tx, did: string, status: "joined" | "pending") =>
    audit.writeInTx(tx, { action: "community.join", actorType: "account", actorDid: callerDid, targetDid: did, meta: { status } });
  return withReplan(async () => {
    const { community } = await authorizeCommunityWrite(deps, identifier, callerDid, null);
    if (await membershipOf(deps.db.orm, community, callerDid)) throw alreadyMember();

    if (!needsApproval(community)) {
      const record = memberRecord(callerDid, handle ?? (await communities.accountHandle(callerDid)), "member", nowIso());
      // `put`: a concurrent join makes this an update, which inTx turns into AlreadyMember (rolling the put back)
      await communities.writer.write(community.did, [{ action: "put", collection: COL.member, rkey: callerDid, record }], {
        inTx: async (tx, result) => {
          const row = await regateInTx(deps, tx, community.did, "write");
          if (result.results[0]?.action === "update") throw alreadyMember();
          if (needsApproval(row)) throw new MembershipRaced();
          // an old request (from when the community needed approval) is moot once the caller is a member
          await tx.orm.delete(joinRequests).where(and(eq(joinRequests.communityDid, row.did), eq(joinRequests.did, callerDid))).run();
          await audited(tx, row.did, "joined");
        },
      });
      return { status: "joined" as const };
    }

    await deps.db.transaction(async (tx) => {
      const row = await regateInTx(deps, tx, community.did, "write");
      if (!needsApproval(row)) throw new MembershipRaced();
      if (await membershipOf(tx.orm, row, callerDid)) throw alreadyMember();
      const existing = await requestOf(tx.orm, row.did, callerDid);
      if (existing?.status === "pending") throw alreadyRequested();
      // a rejected (or approved-but-departed) request starts over as a new pending request with a new id
      const fresh = { id: crypto.randomUUID(), status: "pending" as const, createdAt: nowIso(), resolvedAt: null, resolvedBy: null };
      if (existing) await tx.orm.update(joinRequests).set(fresh).where(eq(joinRequests.id, existing.id)).run();
      else await tx.orm.insert(joinRequests).values({ ...fresh, communityDid: row.did, did: callerDid }).run();
      await audited(tx, row.did, "pending");
    }, { lockKey: community.did });
    return { status: "pending" as const };
  });
}

// ---- leaving and removal ----------------------------------------------------------------------------------------

/**
 * One commit deleting `memberDid`'s member record (swapped on the CID we planned with), their delegation and every
 * delegation naming them, and their join request. `check` runs first in the transaction (gate, audit).
 */
async function removeFromCommunity(deps: MembershipDeps, community: CommunityRow, memberDid: string, memberCid: string, check: (tx: Tx) => Promise<void>) {
  const incoming = (await delegationsTo(deps.db.orm, community.did, memberDid)).filter((rkey) => rkey !== memberDid);
  const ops: WriteOp[] = [
    { action: "delete", collection: COL.member, rkey: memberDid, swapRecord: memberCid },
    { action: "delete", collection: COL.delegation, rkey: memberDid, ifExists: true },
    ...incoming.map((rkey): WriteOp => ({ action: "delete", collection: COL.delegation, rkey, ifExists: true })),
  ];
  try {
    await deps.communities.writer.write(community.did, ops, {
      inTx: async (tx) => {
        await check(tx);
        // a delegation to them created after we planned would survive: plan again
        if ((await delegationsTo(tx.orm, community.did, memberDid)).length) throw new MembershipRaced();
        await tx.orm.delete(joinRequests).where(and(eq(joinRequests.communityDid, community.did), eq(joinRequests.did, memberDid))).run();
      },
    });
  } catch (err) {
    // the member record moved under us (InvalidSwap): gone → NotMember, changed (new role) → plan again
    if (err instanceof DomainError && err.error === "InvalidSwap") {
      if (!(await deps.repo.getRecord(community.did, COL.member, memberDid))) throw memberNotFound();
      throw new MembershipRaced();
    }
    throw err;
  }
}

function leave(deps: MembershipDeps, identifier: string, callerDid: string): Promise<{ success: true }> {
  return withReplan(async () => {
    const { community } = await authorizeCommunityWrite(deps, identifier, callerDid, null, "leave");
    if (community.ownerDid === callerDid) throw ownerCannotLeave();
    const rec = await deps.repo.getRecord(community.did, COL.member, callerDid);
    if (!rec) throw memberNotFound("You are not a member of this community");
    await removeFromCommunity(deps, community, callerDid, rec.cid, async (tx) => {
      const row = await regateInTx(deps, tx, community.did, "leave");
      if (row.ownerDid === callerDid) throw ownerCannotLeave();
      await deps.audit.writeInTx(tx, { action: "community.leave", actorType: "account", actorDid: callerDid, targetDid: row.did });
    });
    return { success: true as const };
  });
}

/** Permissions a member's role grants (all 12 for the owner), read from `orm` for the given role. */
async function rolePermissions(orm: Orm, community: CommunityRow, memberDid: string, roleRkey: string): Promise<Permission[]> {
  if (community.ownerDid === memberDid) return [...PERMISSIONS];
  const role = await orm.select().from(communityRoles).where(and(eq(communityRoles.communityDid, community.did), eq(communityRoles.rkey, roleRkey))).get();
  return role ? (JSON.parse(role.permissions) as string[]).filter(isPermission) : [];
}

/** 04 §5 removeMember: never the owner, never oneself, never someone whose role grants more than the caller holds (05 §2). */
function assertMayRemove(community: CommunityRow, me: Membership, memberDid: string, targetPermissions: Permission[]): void {
  if (community.ownerDid === memberDid) throw forbidden("The owner cannot be removed");
  if (me.memberDid === memberDid) throw forbidden("You cannot remove yourself; use leave");
  if (!me.isOwner && targetPermissions.some((p) => !me.permissions.includes(p))) {
    throw forbidden("Cannot remove a member whose role grants permissions you do not hold");
  }
}

function removeMember(deps: MembershipDeps, identifier: string, callerDid: string, memberDid: string): Promise<{ success: true }> {
  const PERM = "community.member.delete" as const;
  return withReplan(async () => {
    const { community, membership } = await authorizeCommunityWrite(deps, identifier, callerDid, PERM);
    const rec = await deps.repo.getRecord(community.did, COL.member, memberDid);
    const target = await membershipOf(deps.db.orm, community, memberDid);
    if (!rec || !target) throw memberNotFound();
    assertMayRemove(community, membership!, memberDid, target.permissions);
    await removeFromCommunity(deps, community, memberDid, rec.cid, async (tx) => {
      const row = await regateInTx(deps, tx, community.did, "write");
      const { membership: me } = await requirePermission(deps, row, callerDid, PERM, tx.orm);
      // the member record is swapped on its CID (same role); its role's permissions may have changed meanwhile
      assertMayRemove(row, me, memberDid, await rolePermissions(tx.orm, row, memberDid, target.roleRkey));
      await deps.audit.writeInTx(tx, { action: "community.removeMember", actorType: "account", actorDid: callerDid, targetDid: row.did, meta: { memberDid } });
    });
    return { success: true as const };
  });
}

// ---- resolveJoinRequest -----------------------------------------------------------------------------------------

function resolveJoinRequest(deps: MembershipDeps, requestId: string, action: "approve" | "reject", callerDid: string): Promise<{ status: "approved" | "rejected" }> {
  const PERM = "community.member.write" as const;
  const { communities, audit } = deps;
  const status = action === "approve" ? ("approved" as const) : ("rejected" as const);
  return withReplan(async () => {
    const req = await deps.db.orm.select().from(joinRequests).where(eq(joinRequests.id, requestId)).get();
    if (!req) throw joinRequestNotFound();
    const { community } = await authorizeCommunityWrite(deps, req.communityDid, callerDid, PERM);
    if (req.status !== "pending") throw alreadyResolved();
    const regate = (tx: Tx) => regateInTx(deps, tx, community.did, "write", callerDid, PERM);
    const settle = async (tx: Tx) => {
      // the conditional UPDATE is what makes double resolution impossible: only one transaction still sees `pending`
      const done = await tx.orm.update(joinRequests).set({ status, resolvedAt: nowIso(), resolvedBy: callerDid })
        .where(and(eq(joinRequests.id, req.id), eq(joinRequests.status, "pending"))).returning({ id: joinRequests.id }).all();
      if (!done.length) throw alreadyResolved();
      await audit.writeInTx(tx, { action: `join_request.${action}`, actorType: "account", actorDid: callerDid, targetDid: req.communityDid, targetId: req.id, meta: { communityDid: req.communityDid, did: req.did } });
    };
    const inactive = () => invalidRequest("The requester's account is no longer active; the request stays pending");

    if (action === "reject") {
      await deps.db.transaction(async (tx) => {
        await regate(tx);
        await settle(tx);
      }, { lockKey: community.did });
      return { status };
    }
    // A requester without a local account is a remote actor (04 §9): active unless their DID is gone.
    const local = !!(await deps.db.orm.select({ did: accounts.did }).from(accounts).where(eq(accounts.did, req.did)).get());
    const remote = local ? undefined : await deps.remote.actor(req.did);
    if (local ? !(await accountIsActive(deps.db.orm, req.did)) : !remote!.active) throw inactive();
    if (await membershipOf(deps.db.orm, community, req.did)) {
      // already a member (e.g. joined while the community was open): resolve without touching the record
      await deps.db.transaction(async (tx) => {
        const row = await regate(tx);
        if (!(await membershipOf(tx.orm, row, req.did))) throw new MembershipRaced();
        await settle(tx);
      }, { lockKey: community.did });
      return { status };
    }
    const record = memberRecord(req.did, remote ? remote.handle : await communities.accountHandle(req.did), "member", nowIso());
    // `put`: if they became a member meanwhile this is an update; roll it back and take the path above
    await communities.writer.write(community.did, [{ action: "put", collection: COL.member, rkey: req.did, record }], {
      inTx: async (tx, result) => {
        await regate(tx);
        if (local && !(await accountIsActive(tx.orm, req.did))) throw inactive();
        if (result.results[0]?.action === "update") throw new MembershipRaced();
        await settle(tx);
      },
    });
    return { status };
  });
}

// ---- the service ------------------------------------------------------------------------------------------------

/** Membership writes and reads (04 §5), for the community.* handlers: one method per XRPC method. */
export class MembershipService {
  constructor(private readonly deps: MembershipDeps) {}

  /** A local account or a remote actor (04 §9) joins; a remote actor's member-record handle comes from its DID document. */
  async join(identifier: string, auth: AuthResult): Promise<{ status: "joined" | "pending" }> {
    const did = actorDid(auth);
    return join(this.deps, identifier, did, await this.deps.remote.memberHandle(auth, did));
  }
  leave(identifier: string, auth: AuthResult): Promise<{ success: true }> {
    return leave(this.deps, identifier, actorDid(auth));
  }
  removeMember(identifier: string, callerDid: string, memberDid: string): Promise<{ success: true }> {
    return removeMember(this.deps, identifier, callerDid, memberDid);
  }
  resolveJoinRequest(requestId: string, action: "approve" | "reject", callerDid: string): Promise<{ status: "approved" | "rejected" }> {
    return resolveJoinRequest(this.deps, requestId, action, callerDid);
  }
  listMembers(identifier: string, auth: AuthResult, page: MemberPage) {
    return listMembers(this.deps, identifier, auth, page);
  }
  listJoinRequests(identifier: string, auth: AuthResult, params: MemberPage & { status?: "pending" | "approved" | "rejected" }) {
    return listJoinRequests(this.deps, identifier, auth, params);
  }
}
