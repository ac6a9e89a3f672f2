// Role rules (spec 05 §2-§3) as plans: each `plan…` validates a role change against the owner-role invariants and the
// escalation guard and returns the WriteOps of its commit, its audit entry and an in-transaction re-check. The role
// methods (./role-service.ts) and approved proposals (governance, same commit as the proposal's status) both apply
// them through the community writer, so a governance gate wrapping the writer sees every role write.
import { and, count, eq, sql } from "drizzle-orm";
import { TID } from "@atproto/common-web";
import type { Orm, Tx } from "../db/database.ts";
import type { WriteOp } from "../repo/service.ts";
import { records } from "../repo/schema.ts";
import { invalidRequest } from "../errors.ts";
import { communityMembers, communityRoles, type CommunityRow } from "./schema.ts";
import { COL, isPermission, type Permission } from "./permissions.ts";
import type { Membership } from "./gate.ts";
import { cannotChangeOwner, escalation, ownerLockout, roleInUse, roleNameTaken, roleNotFound, targetNotMember } from "./role-errors.ts";

export const MAX_ROLES = 50;
const MAX_NAME = 64;
const MAX_DESCRIPTION = 500;

/**
 * Who makes a role change: a member (the escalation guard applies unless they are the owner) or an approved
 * proposal (exempt from the guard, "the community decided", but still bound by the owner-role invariants).
 */
export type RoleActor = { kind: "member"; membership: Membership } | { kind: "proposal" };

/** One planned role change: the ops of its commit, its audit entry, and the checks to repeat inside the commit transaction. */
export interface RolePlan {
  ops: WriteOp[];
  audit: { action: string; meta: Record<string, unknown> };
  /** rkey of the role record written (create/update/delete) or of the member record (assignment) */
  rkey: string;
  /** re-validates, on `tx.orm`, what a concurrent write could have changed since planning; throws a DomainError */
  recheckInTx(tx: Tx): Promise<void>;
}

type Rec = Record<string, unknown>;

/** One indexed record read on `orm` (pass `tx.orm` inside a write transaction). */
export async function recordOn(orm: Orm, did: string, collection: string, rkey: string): Promise<{ cid: string; value: Rec } | undefined> {
  const r = await orm.select({ cid: records.cid, value: records.value }).from(records)
    .where(and(eq(records.did, did), eq(records.collection, collection), eq(records.rkey, rkey))).get();
  return r ? { cid: r.cid, value: JSON.parse(r.value) as Rec } : undefined;
}

const permsOf = (v: unknown): Permission[] => (Array.isArray(v) ? v.filter((p): p is Permission => typeof p === "string" && isPermission(p)) : []);

/** The role's permissions from the projection, or undefined when the role does not exist. */
async function projectedRole(orm: Orm, did: string, rkey: string): Promise<{ name: string; permissions: Permission[] } | undefined> {
  const r = await orm.select().from(communityRoles).where(and(eq(communityRoles.communityDid, did), eq(communityRoles.rkey, rkey))).get();
  return r ? { name: r.name, permissions: permsOf(JSON.parse(r.permissions)) } : undefined;
}

// ---- input rules -----------------------------------------------------------------------------------------------

export function checkPermissions(value: unknown): Permission[] {
  if (!Array.isArray(value)) throw invalidRequest("Invalid permissions: an array of permission names is required");
  const bad = value.filter((p) => typeof p !== "string" || !isPermission(p)).map(String);
  if (bad.length) throw invalidRequest(`Invalid permissions: ${bad.join(", ")}`);
  const dups = value.filter((p, i) => value.indexOf(p) !== i);
  if (dups.length) throw invalidRequest(`Invalid permissions: duplicate ${[...new Set(dups)].join(", ")}`);
  return value as Permission[];
}

function checkName(name: unknown): string {
  const n = typeof name === "string" ? [...name].length : 0;
  if (typeof name !== "string" || !name.trim() || n > MAX_NAME) throw invalidRequest(`name must be 1-${MAX_NAME} characters`);
  return name;
}

function checkDescription(d: unknown): string | undefined {
  if (d === undefined || d === "") return undefined;
  if (typeof d !== "string" || [...d].length > MAX_DESCRIPTION) throw invalidRequest(`description must be at most ${MAX_DESCRIPTION} characters`);
  return d;
}

/** The escalation guard (05 §2): a non-owner member may only handle permissions they hold. */
function guard(actor: RoleActor, permissions: readonly Permission[]): void {
  if (actor.kind !== "member" || actor.membership.isOwner) return;
  if (permissions.some((p) => !actor.membership.permissions.includes(p))) throw escalation();
}

/** Names are unique case-insensitively; `owner` is reserved for role/owner (05 §2). */
async function assertNameFree(orm: Orm, did: string, name: string, ownRkey: string): Promise<void> {
  const lower = name.toLowerCase();
  if (lower === "owner" && ownRkey !== "owner") throw roleNameTaken();
  const clash = await orm.select({ rkey: communityRoles.rkey }).from(communityRoles)
    .where(and(eq(communityRoles.communityDid, did), sql`lower(${communityRoles.name}) = ${lower}`)).all();
  if (clash.some((r) => r.rkey !== ownRkey)) throw roleNameTaken();
}

const roleCount = async (orm: Orm, did: string) =>
  (await orm.select({ n: count() }).from(communityRoles).where(eq(communityRoles.communityDid, did)).get())?.n ?? 0;

/** Why a role cannot be deleted although it exists: a member holds it, or it is the governance `voterRole`. */
async function inUse(orm: Orm, did: string, rkey: string): Promise<string | undefined> {
  const holders = (await orm.select({ n: count() }).from(communityMembers)
    .where(and(eq(communityMembers.communityDid, did), eq(communityMembers.roleRkey, rkey))).get())?.n ?? 0;
  if (holders > 0) return "a member holds it";
  const settings = (await recordOn(orm, did, COL.settings, "self"))?.value;
  const voterRole = (settings?.governanceConfig as Rec | undefined)?.voterRole;
  return voterRole === rkey ? "it is the governance voterRole" : undefined;
}

// ---- plans -----------------------------------------------------------------------------------------------------

export interface CreateRoleInput {
  name: string;
  description?: string;
  permissions: unknown;
}

/** createRole: a new role record under a fresh TID rkey (unless `rkey` is given: proposals fix it at creation). */
export async function planCreateRole(orm: Orm, community: CommunityRow, input: CreateRoleInput, actor: RoleActor, rkey: string = TID.nextStr()): Promise<RolePlan> {
  const name = checkName(input.name);
  const description = checkDescription(input.description);
  const permissions = checkPermissions(input.permissions);
  guard(actor, permissions);
  await assertNameFree(orm, community.did, name, rkey);
  const tooMany = () => invalidRequest(`A community has at most ${MAX_ROLES} roles`);
  if ((await roleCount(orm, community.did)) >= MAX_ROLES) throw tooMany();
  const record = { $type: COL.role, name, ...(description ? { description } : {}), permissions };
  return {
    rkey,
    ops: [{ action: "create", collection: COL.role, rkey, record, swapRecord: null }],
    audit: { action: "community.role.create", meta: { rkey, name, permissions } },
    async recheckInTx(tx) {
      // the projection already holds the new role: a concurrent create with the same name shows up as a second row
      await assertNameFree(tx.orm, community.did, name, rkey);
      if ((await roleCount(tx.orm, community.did)) > MAX_ROLES) throw tooMany();
    },
  };
}

export interface UpdateRoleInput {
  rkey: string;
  name?: string;
  description?: string;
  permissions?: unknown;
}

/** updateRole: never role/owner; the guard covers the permissions before and after the change. */
export async function planUpdateRole(orm: Orm, community: CommunityRow, input: UpdateRoleInput, actor: RoleActor): Promise<RolePlan> {
  if (input.rkey === "owner") throw ownerLockout();
  const current = await recordOn(orm, community.did, COL.role, input.rkey);
  if (!current) throw roleNotFound();
  if (input.name === undefined && input.description === undefined && input.permissions === undefined) {
    throw invalidRequest("Give at least one of name, description, permissions");
  }
  const next: Rec = { ...current.value };
  if (input.name !== undefined) next.name = checkName(input.name);
  if (input.description !== undefined) {
    const d = checkDescription(input.description);
    if (d === undefined) delete next.description;
    else next.description = d;
  }
  if (input.permissions !== undefined) next.permissions = checkPermissions(input.permissions);
  guard(actor, permsOf(current.value.permissions));
  guard(actor, permsOf(next.permissions));
  const name = String(next.name);
  await assertNameFree(orm, community.did, name, input.rkey);
  return {
    rkey: input.rkey,
    ops: [{ action: "update", collection: COL.role, rkey: input.rkey, record: next, swapRecord: current.cid }],
    audit: { action: "community.role.update", meta: { rkey: input.rkey, name, permissions: permsOf(next.permissions) } },
    async recheckInTx(tx) {
      await assertNameFree(tx.orm, community.did, name, input.rkey);
    },
  };
}

/** deleteRole: never role/owner, never role/member (the join default), never a role in use. */
export async function planDeleteRole(orm: Orm, community: CommunityRow, rkey: string, actor: RoleActor): Promise<RolePlan> {
  if (rkey === "owner") throw ownerLockout();
  const current = await recordOn(orm, community.did, COL.role, rkey);
  if (!current) throw roleNotFound();
  if (rkey === "member") throw invalidRequest("The member role cannot be deleted: it is the role new members join with");
  guard(actor, permsOf(current.value.permissions));
  const why = await inUse(orm, community.did, rkey);
  if (why) throw roleInUse(why);
  return {
    rkey,
    ops: [{ action: "delete", collection: COL.role, rkey, swapRecord: current.cid }],
    audit: { action: "community.role.delete", meta: { rkey, name: String(current.value.name) } },
    async recheckInTx(tx) {
      // a member may have been given the role since we planned (the member write is a different record)
      const now = await inUse(tx.orm, community.did, rkey);
      if (now) throw roleInUse(now);
    },
  };
}

/** What an assignment plan adds: the new role's name and the member's previous role (for the output and audit). */
export interface MemberRolePlan extends RolePlan {
  roleName: string;
  previousRoleRkey: string;
  /** false when the member already holds the role: nothing to write */
  changes: boolean;
}

/**
 * updateMemberRole / a role-assignment proposal: `memberDid` gets `roleRkey`. Never to or from the owner
 * (CannotChangeOwner); for a member actor, never their own role, and both the new role and the member's current
 * permissions must be within the actor's (05 §2). The member record is swapped on its CID.
 */
export async function planMemberRole(orm: Orm, community: CommunityRow, memberDid: string, roleRkey: string, actor: RoleActor): Promise<MemberRolePlan> {
  const member = await recordOn(orm, community.did, COL.member, memberDid);
  if (!member) throw targetNotMember();
  const role = await projectedRole(orm, community.did, roleRkey);
  if (!role) throw roleNotFound();
  if (roleRkey === "owner" || community.ownerDid === memberDid) throw cannotChangeOwner();
  if (actor.kind === "member" && actor.membership.memberDid === memberDid) throw escalation();
  const previousRoleRkey = String(member.value.roleRkey);
  guard(actor, role.permissions);
  guard(actor, (await projectedRole(orm, community.did, previousRoleRkey))?.permissions ?? []);
  const changes = previousRoleRkey !== roleRkey;
  return {
    rkey: memberDid,
    roleName: role.name,
    previousRoleRkey,
    changes,
    ops: changes ? [{ action: "update", collection: COL.member, rkey: memberDid, record: { ...member.value, roleRkey }, swapRecord: member.cid }] : [],
    audit: { action: "community.updateMemberRole", meta: { memberDid, roleRkey, roleName: role.name, previousRoleRkey } },
    async recheckInTx(tx) {
      // the member record is swapped on its CID; the role itself may have been deleted or widened meanwhile
      const now = await projectedRole(tx.orm, community.did, roleRkey);
      if (!now) throw roleNotFound();
      guard(actor, now.permissions);
    },
  };
}
