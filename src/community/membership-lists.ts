// Membership reads (spec 04 §5): listMembers (privacy per 04 §3) and listJoinRequests, oldest first, keyset cursors.
import { and, asc, count, eq, gt, or } from "drizzle-orm";
import type { Database } from "../db/database.ts";
import type { AuthResult } from "../caller.ts";
import type { RepoService } from "../repo/service.ts";
import { accounts } from "../account/schema.ts";
import { decodeCursor, encodeCursor } from "../account/cursor.ts";
import { communityMembers, communityRoles, joinRequests } from "./schema.ts";
import { callerDid, communityStatusGate, isStaff, membershipOf, requirePermission, resolveCommunity, type GateCtx } from "./gate.ts";
import { communityPrivate } from "./errors.ts";
import type { RemoteMembers } from "./remote.ts";
import type { CommunityService } from "./service.ts";

export type MemberPage = { limit: number; cursor?: string };
type Page = MemberPage;

/** What the membership reads use (MembershipService passes its own deps). */
export interface MembershipListDeps extends GateCtx {
  db: Database;
  communities: Pick<CommunityService, "accountHandle" | "memberCount">;
  repo: Pick<RepoService, "getRecord">;
  remote: Pick<RemoteMembers, "actor">;
}

/** The account's own profile (displayName, avatar), when it has one. */
async function profileOf(deps: MembershipListDeps, did: string): Promise<{ displayName?: string; avatar?: unknown }> {
  const value = (await deps.repo.getRecord(did, "app.bsky.actor.profile", "self"))?.value as { displayName?: unknown; avatar?: unknown } | undefined;
  return {
    ...(typeof value?.displayName === "string" && value.displayName ? { displayName: value.displayName } : {}),
    ...(value?.avatar ? { avatar: value.avatar } : {}),
  };
}

export async function listMembers(deps: MembershipListDeps, identifier: string, auth: AuthResult, page: Page) {
  const { db } = deps;
  const c = await resolveCommunity(deps, identifier);
  const me = callerDid(auth);
  const staff = isStaff(auth);
  communityStatusGate(c, { write: false, bypass: staff || me === c.ownerDid });
  if (c.visibility === "private" && !staff) {
    const membership = me ? await membershipOf(db.orm, c, me) : undefined;
    if (!membership?.permissions.includes("community.member.read")) throw communityPrivate();
  }
  const cur = page.cursor !== undefined ? decodeCursor(page.cursor) : undefined;
  const after = cur ? or(gt(communityMembers.joinedAt, cur.t), and(eq(communityMembers.joinedAt, cur.t), gt(communityMembers.memberDid, cur.k))) : undefined;
  const rows = await db.orm
    .select({ m: communityMembers, roleName: communityRoles.name, status: accounts.status })
    .from(communityMembers)
    .leftJoin(communityRoles, and(eq(communityRoles.communityDid, communityMembers.communityDid), eq(communityRoles.rkey, communityMembers.roleRkey)))
    .leftJoin(accounts, eq(accounts.did, communityMembers.memberDid))
    .where(and(eq(communityMembers.communityDid, c.did), after))
    .orderBy(asc(communityMembers.joinedAt), asc(communityMembers.memberDid))
    .limit(page.limit + 1)
    .all();
  const shown = rows.slice(0, page.limit);
  const last = shown[shown.length - 1];
  // no local account row: a remote member (04 §9), handle and liveness from its DID document
  const remote = new Map(await Promise.all(shown.filter((r) => r.status === null).map(async ({ m }) => [m.memberDid, await deps.remote.actor(m.memberDid)] as const)));
  const members = [];
  for (const { m, roleName, status } of shown) {
    members.push({
      did: m.memberDid,
      // the CURRENT handle, not the one stored in the record at join time (04 §2)
      handle: remote.get(m.memberDid)?.handle ?? (await deps.communities.accountHandle(m.memberDid)),
      ...(await profileOf(deps, m.memberDid)),
      role: roleName ?? m.roleRkey,
      roleRkey: m.roleRkey,
      joinedAt: m.joinedAt,
      active: remote.get(m.memberDid)?.active ?? status === "approved",
    });
  }
  return {
    members,
    ...(rows.length > page.limit && last ? { cursor: encodeCursor(last.m.joinedAt, last.m.memberDid) } : {}),
    total: await deps.communities.memberCount(c.did),
  };
}

export async function listJoinRequests(deps: MembershipListDeps, identifier: string, auth: AuthResult, params: Page & { status?: "pending" | "approved" | "rejected" }) {
  const { db } = deps;
  const c = await resolveCommunity(deps, identifier);
  const me = callerDid(auth);
  communityStatusGate(c, { write: false, bypass: isStaff(auth) || me === c.ownerDid });
  await requirePermission(deps, c, me, "community.member.write");
  const filter = and(eq(joinRequests.communityDid, c.did), eq(joinRequests.status, params.status ?? "pending"));
  const cur = params.cursor !== undefined ? decodeCursor(params.cursor) : undefined;
  const after = cur ? or(gt(joinRequests.createdAt, cur.t), and(eq(joinRequests.createdAt, cur.t), gt(joinRequests.id, cur.k))) : undefined;
  const rows = await db.orm.select().from(joinRequests).where(and(filter, after))
    .orderBy(asc(joinRequests.createdAt), asc(joinRequests.id)).limit(params.limit + 1).all();
  const shown = rows.slice(0, params.limit);
  const last = shown[shown.length - 1];
  const requests = [];
  for (const r of shown) {
    requests.push({
      id: r.id,
      did: r.did,
      handle: await deps.communities.accountHandle(r.did),
      status: r.status,
      createdAt: r.createdAt,
      ...(r.resolvedAt ? { resolvedAt: r.resolvedAt } : {}),
      ...(r.resolvedBy ? { resolvedBy: r.resolvedBy } : {}),
    });
  }
  return {
    requests,
    ...(rows.length > params.limit && last ? { cursor: encodeCursor(last.createdAt, last.id) } : {}),
    total: (await db.orm.select({ n: count() }).from(joinRequests).where(filter).get())?.n ?? 0,
  };
}
