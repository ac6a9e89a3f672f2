// Community reads (spec 04 §4): the get view, listAll (directory and staff mode) and listMine.
import { and, count, desc, eq, inArray, lt, ne, or, sql, type SQL } from "drizzle-orm";
import { decodeCursor, encodeCursor } from "../account/cursor.ts";
import { forbidden } from "../errors.ts";
import { communities, communityMembers, communityRoles, joinRequests } from "./schema.ts";
import { COL } from "./permissions.ts";
import { communityStatusGate, transferIsPending } from "./gate.ts";
import { communityNotFound } from "./errors.ts";
import type { Caller, CommunityOpsCtx } from "./service.ts";

const STAFF = ["admin", "moderator", "auditor"];
const isStaff = (c: Caller, roles = STAFF) => !!c && c.roles.some((r) => roles.includes(r));

export async function getCommunity(ctx: CommunityOpsCtx, identifier: string, caller: Caller) {
  const { svc } = ctx;
  let c = await svc.resolve(identifier);
  if (c.didMethod === "web" && !c.identityVerified && caller?.did === c.ownerDid) {
    await ctx.verifyWeb(c.did);
    c = await svc.resolve(c.did);
  }
  const staff = isStaff(caller);
  const me = await svc.membership(c, caller?.did);
  const isOwner = !!caller && caller.did === c.ownerDid;
  if (c.visibility === "private" && !me && !staff) throw communityNotFound();
  communityStatusGate(c, { write: false, bypass: isOwner || staff });
  const profile = (await ctx.deps.repo.getRecord(c.did, COL.profile, "self"))?.value as { avatar?: unknown } | undefined;
  const jr = caller ? await joinRequestStatus(ctx, c.did, caller.did) : undefined;
  const memberCount = await svc.memberCount(c.did);
  const ownerHandle = await svc.accountHandle(c.ownerDid);
  return {
    did: c.did,
    handle: svc.handleOf(c),
    didMethod: c.didMethod,
    displayName: c.displayName,
    description: c.description,
    ...(profile?.avatar ? { avatar: profile.avatar } : {}),
    visibility: c.visibility,
    joinPolicy: c.joinPolicy,
    governanceModel: c.governanceModel,
    memberCount,
    createdAt: c.createdAt,
    status: c.status,
    ...(c.statusReason ? { statusReason: c.statusReason } : {}),
    owner: { did: c.ownerDid, handle: ownerHandle },
    ...(c.didMethod === "web" ? { identityVerified: c.identityVerified } : {}),
    ...(c.migratedTo ? { migratedTo: c.migratedTo } : {}),
    isOwner,
    isMember: !!me,
    ...(jr ? { joinRequestStatus: jr } : {}),
    ...(me ? { myMembership: { role: me.roleName, roleRkey: me.roleRkey, permissions: me.permissions, joinedAt: me.joinedAt } } : {}),
    ...(isOwner ? { transferPending: transferIsPending(c, ctx.now()) } : {}),
  };
}

export async function joinRequestStatus(ctx: CommunityOpsCtx, communityDid: string, did: string): Promise<"pending" | "approved" | "rejected" | undefined> {
  return (await ctx.deps.db.orm.select({ s: joinRequests.status }).from(joinRequests).where(and(eq(joinRequests.communityDid, communityDid), eq(joinRequests.did, did))).get())?.s;
}

export async function listAllCommunities(ctx: CommunityOpsCtx, params: { limit: number; cursor?: string; q?: string; mode?: "public" | "all"; includeMine?: boolean }, caller: Caller) {
  const { svc } = ctx;
  const { db } = ctx.deps;
  const mode = params.mode ?? "public";
  if (mode === "all" && !isStaff(caller, ["admin", "moderator", "auditor"])) throw forbidden("mode=all is for PDS staff");
  const where: SQL[] = [sql`${communities.status} NOT IN ('creating', 'importing')`];
  if (mode === "public") {
    where.push(eq(communities.status, "active"), eq(communities.visibility, "public"));
    if (caller && !params.includeMine)
      where.push(sql`NOT EXISTS (SELECT 1 FROM community_members m WHERE m.community_did = ${communities.did} AND m.member_did = ${caller.did})`);
  }
  if (params.q) {
    const pat = `%${params.q.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    where.push(sql`(lower(${communities.name}) LIKE ${pat} ESCAPE '\\' OR lower(${communities.displayName}) LIKE ${pat} ESCAPE '\\')`);
  }
  const filter = and(...where);
  const total = (await db.orm.select({ n: count() }).from(communities).where(filter).get())?.n ?? 0;
  const c = params.cursor !== undefined ? decodeCursor(params.cursor) : undefined;
  const after = c ? or(lt(communities.createdAt, c.t), and(eq(communities.createdAt, c.t), lt(communities.did, c.k))) : undefined;
  const rows = await db.orm.select().from(communities).where(and(filter, after)).orderBy(desc(communities.createdAt), desc(communities.did)).limit(params.limit + 1).all();
  const shown = rows.slice(0, params.limit);
  const mine = caller && shown.length
    ? new Set((await db.orm.select({ d: communityMembers.communityDid }).from(communityMembers)
        .where(and(eq(communityMembers.memberDid, caller.did), inArray(communityMembers.communityDid, shown.map((r) => r.did)))).all()).map((r) => r.d))
    : new Set<string>();
  const last = shown[shown.length - 1];
  const views = [];
  for (const r of shown) {
    const jr = caller ? await joinRequestStatus(ctx, r.did, caller.did) : undefined;
    views.push({
      did: r.did, handle: svc.handleOf(r), didMethod: r.didMethod, displayName: r.displayName, description: r.description,
      visibility: r.visibility, joinPolicy: r.joinPolicy, memberCount: await svc.memberCount(r.did), createdAt: r.createdAt, status: r.status,
      isMember: mine.has(r.did), ...(jr ? { joinRequestStatus: jr } : {}),
    });
  }
  return {
    communities: views,
    ...(rows.length > params.limit && last ? { cursor: encodeCursor(last.createdAt, last.did) } : {}),
    total,
  };
}

export async function listMyCommunities(ctx: CommunityOpsCtx, params: { limit: number; cursor?: string }, memberDid: string) {
  const { svc } = ctx;
  const { db } = ctx.deps;
  const c = params.cursor !== undefined ? decodeCursor(params.cursor) : undefined;
  const after = c ? or(lt(communityMembers.joinedAt, c.t), and(eq(communityMembers.joinedAt, c.t), lt(communityMembers.communityDid, c.k))) : undefined;
  const rows = await db.orm
    .select({ c: communities, m: communityMembers, roleName: communityRoles.name })
    .from(communityMembers)
    .innerJoin(communities, eq(communities.did, communityMembers.communityDid))
    .leftJoin(communityRoles, and(eq(communityRoles.communityDid, communityMembers.communityDid), eq(communityRoles.rkey, communityMembers.roleRkey)))
    .where(and(
      eq(communityMembers.memberDid, memberDid),
      sql`${communities.status} NOT IN ('creating', 'importing')`,
      // takendown communities appear only for their owner
      or(ne(communities.status, "takendown"), eq(communities.ownerDid, memberDid)),
      after,
    ))
    .orderBy(desc(communityMembers.joinedAt), desc(communityMembers.communityDid))
    .limit(params.limit + 1)
    .all();
  const shown = rows.slice(0, params.limit);
  const last = shown[shown.length - 1];
  return {
    communities: shown.map(({ c: r, m, roleName }) => ({
      did: r.did, handle: svc.handleOf(r), didMethod: r.didMethod, displayName: r.displayName, description: r.description,
      createdAt: r.createdAt, status: r.status, role: roleName ?? m.roleRkey, roleRkey: m.roleRkey, joinedAt: m.joinedAt,
    })),
    ...(rows.length > params.limit && last ? { cursor: encodeCursor(last.m.joinedAt, last.m.communityDid) } : {}),
  };
}
