// The ONE community permission and status gate (spec 05 §2, 04 §3). Every community method goes through it.
import { and, eq, notInArray } from "drizzle-orm";
import type { Orm } from "../db/database.ts";
import type { AuthResult } from "../caller.ts";
import { communities, communityMembers, communityRoles, type CommunityRow, type CommunityStatus } from "./schema.ts";
import { PERMISSIONS, isPermission, type Permission } from "./permissions.ts";
import {
  communityMoved, communityNotFound, communitySuspended, communityTakenDown, insufficientPrivileges, notMember, transferPending,
} from "./errors.ts";

/** What the gate needs: the database and the handle domain (`CommunityService.gateCtx`; the community services' deps extend it). */
export interface GateCtx {
  db: { orm: Orm };
  config: { handleDomain: string };
}

export interface Membership {
  memberDid: string;
  roleRkey: string;
  /** the role's name (`owner`, `moderator`, `member` or a custom name) */
  roleName: string;
  /** resolved permissions: all 12 for the owner, whatever is stored */
  permissions: Permission[];
  joinedAt: string;
  isOwner: boolean;
}

export const STAFF_ROLES = ["admin", "moderator", "auditor"] as const;
export const isStaff = (auth: AuthResult, roles: readonly string[] = STAFF_ROLES) =>
  auth.kind === "account" && auth.roles.some((r) => roles.includes(r));
/** The caller's DID for membership checks: a local account or a remote actor (04 §9; never staff: see isStaff). */
export const callerDid = (auth: AuthResult): string | undefined => (auth.kind === "account" || auth.kind === "remote" ? auth.did : undefined);

/** Statuses in which a community is not visible at all (reservation, unactivated import). */
const INVISIBLE: CommunityStatus[] = ["creating", "importing"];

/** The community row for a DID or handle (`name`, `name.<HANDLE_DOMAIN>`), or undefined. Never `creating`/`importing`. */
export async function findCommunity(ctx: GateCtx, identifier: string, orm: Orm = ctx.db.orm): Promise<CommunityRow | undefined> {
  const v = identifier.trim();
  const suffix = `.${ctx.config.handleDomain}`;
  const lower = v.toLowerCase();
  const where = v.startsWith("did:")
    ? eq(communities.did, v)
    : eq(communities.name, lower.endsWith(suffix) ? lower.slice(0, -suffix.length) : lower);
  return await orm.select().from(communities).where(and(where, notInArray(communities.status, INVISIBLE))).get();
}

/** As findCommunity, 404 `NotFound` when unknown (04 §3). */
export async function resolveCommunity(ctx: GateCtx, identifier: string, orm: Orm = ctx.db.orm): Promise<CommunityRow> {
  const row = await findCommunity(ctx, identifier, orm);
  if (!row) throw communityNotFound();
  return row;
}

/** member → role → permissions (05 §2). Pass `tx.orm` to read inside a write transaction. */
export async function membershipOf(orm: Orm, community: Pick<CommunityRow, "did" | "ownerDid">, did: string): Promise<Membership | undefined> {
  const m = await orm.select().from(communityMembers).where(and(eq(communityMembers.communityDid, community.did), eq(communityMembers.memberDid, did))).get();
  if (!m) return undefined;
  const role = await orm.select().from(communityRoles).where(and(eq(communityRoles.communityDid, community.did), eq(communityRoles.rkey, m.roleRkey))).get();
  const isOwner = community.ownerDid === did;
  const stored = role ? (JSON.parse(role.permissions) as string[]).filter(isPermission) : [];
  return {
    memberDid: did,
    roleRkey: m.roleRkey,
    roleName: role?.name ?? m.roleRkey,
    permissions: isOwner ? [...PERMISSIONS] : stored,
    joinedAt: m.joinedAt,
    isOwner,
  };
}

/**
 * 403 `NotMember` when the caller is not a member, 403 `Forbidden` "Insufficient community privileges" when the
 * role lacks the permission. Returns the community and the caller's membership.
 */
export async function requirePermission(
  ctx: GateCtx,
  community: string | CommunityRow,
  caller: string | undefined,
  permission: Permission,
  orm: Orm = ctx.db.orm,
): Promise<{ community: CommunityRow; membership: Membership }> {
  const row = typeof community === "string" ? await resolveCommunity(ctx, community, orm) : community;
  const membership = caller ? await membershipOf(orm, row, caller) : undefined;
  if (!membership) throw notMember();
  if (!membership.permissions.includes(permission)) throw insufficientPrivileges();
  return { community: row, membership };
}

/**
 * What a caller is doing, for the status effects of 04 §3. `write` is every ordinary write; the others are
 * the "free to go" and transfer paths that stay available in some states.
 */
export type CommunityAction = "write" | "leave" | "export" | "delete" | "transfer" | "cancelTransfer" | "transferOwnership";

const FREE_WHEN_SUSPENDED: ReadonlySet<CommunityAction> = new Set(["leave", "export", "delete", "transfer", "cancelTransfer", "transferOwnership"]);
const FREE_WHEN_TAKENDOWN: ReadonlySet<CommunityAction> = new Set(["leave", "export", "delete"]);
/** a pending transfer freezes the repo at the transferred root: only export, delete and cancelling stay open */
const FREE_WHEN_TRANSFER_PENDING: ReadonlySet<CommunityAction> = new Set(["export", "delete", "cancelTransfer"]);
const FREE_WHEN_MIGRATED: ReadonlySet<CommunityAction> = new Set(["export", "delete"]);

export function transferIsPending(c: Pick<CommunityRow, "pendingTransferId" | "pendingTransferExpiresAt">, now = Date.now()): boolean {
  return !!c.pendingTransferId && (!c.pendingTransferExpiresAt || Date.parse(c.pendingTransferExpiresAt) > now);
}

/**
 * Status effects (04 §3). Reads: takendown → 410 `CommunityTakenDown` unless `bypass` (owner, staff).
 * Writes: suspended → 403 `CommunitySuspended`, takendown → 410, migrated → 400 "community has moved to …",
 * pending transfer → 409 `TransferPending`, each except the actions listed as free for that state.
 */
export function communityStatusGate(
  community: CommunityRow,
  opts: { write: boolean; action?: CommunityAction; bypass?: boolean; now?: number },
): void {
  const action = opts.action ?? "write";
  if (!opts.write) {
    if (community.status === "takendown" && !opts.bypass) throw communityTakenDown();
    return;
  }
  switch (community.status) {
    case "takendown":
      if (!FREE_WHEN_TAKENDOWN.has(action)) throw communityTakenDown();
      break;
    case "suspended":
      if (!FREE_WHEN_SUSPENDED.has(action)) throw communitySuspended();
      break;
    case "migrated":
      if (!FREE_WHEN_MIGRATED.has(action)) throw communityMoved(community.migratedTo);
      break;
  }
  if (transferIsPending(community, opts.now) && !FREE_WHEN_TRANSFER_PENDING.has(action)) throw transferPending();
}

/**
 * The usual write recipe in one call: resolve (404) → status gate (write) → permission (403).
 * `permission: null` skips the permission step (owner-only or self paths decide themselves).
 */
export async function authorizeCommunityWrite(
  ctx: GateCtx,
  identifier: string,
  caller: string | undefined,
  permission: Permission | null,
  action: CommunityAction = "write",
): Promise<{ community: CommunityRow; membership?: Membership }> {
  const community = await resolveCommunity(ctx, identifier);
  communityStatusGate(community, { write: true, action });
  if (permission === null) return { community, ...(caller ? { membership: await membershipOf(ctx.db.orm, community, caller) } : {}) };
  return requirePermission(ctx, community, caller, permission);
}


