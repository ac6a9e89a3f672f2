// server.getConfig's stats (06 §9): plain SQL counts over the domains' tables, read at the time of the call.
import { and, count, eq, gt, inArray, isNull, notInArray, or, sql } from "drizzle-orm";
import type { Database } from "../db/database.ts";
import { accounts, invites } from "../account/schema.ts";
import { communities, type CommunityStatus } from "../community/schema.ts";
import { partnerKeys } from "../partner/schema.ts";
import type { NetOpenfederationServerGetConfig } from "../lexicon-types/index.ts";

export type ServerStats = NetOpenfederationServerGetConfig.Stats;

/** Rows that are not (or no longer) an account or community of this server: half-created, rejected, moved away. */
const NOT_ACCOUNTS = ["creating", "rejected"];
const NOT_COMMUNITIES: CommunityStatus[] = ["creating", "importing", "migrated"];

export interface StatsSources {
  db: Database;
  /** the last committed firehose seq */
  firehoseSeq: () => Promise<number>;
  firehoseSubscribers: () => number;
  now: () => number;
}

export async function serverStats(s: StatsSources): Promise<ServerStats> {
  const orm = s.db.orm;
  const nowIso = new Date(s.now()).toISOString();
  const byStatus = new Map(
    (await orm.select({ status: accounts.status, n: count() }).from(accounts).groupBy(accounts.status).all()).map((r) => [r.status, r.n]),
  );
  const users = (status: string) => byStatus.get(status) ?? 0;
  const totalUsers = [...byStatus].filter(([st]) => !NOT_ACCOUNTS.includes(st)).reduce((sum, [, n]) => sum + n, 0);
  const hosted = notInArray(communities.status, NOT_COMMUNITIES);
  const comms = async (where = hosted) => (await orm.select({ n: count() }).from(communities).where(where).get())?.n ?? 0;
  const activeInvites = and(isNull(invites.revokedAt), or(isNull(invites.expiresAt), gt(invites.expiresAt, nowIso)), sql`${invites.usesCount} < ${invites.maxUses}`);
  // the blob domain keeps its table outside drizzle (src/blob/migrations.ts): one portable aggregate
  const blobBytes = Number((await s.db.raw.get<{ n: number | string }>("SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) AS n FROM blobs"))?.n ?? 0);
  return {
    totalUsers,
    pendingUsers: users("pending"),
    approvedUsers: users("approved"),
    suspendedUsers: users("suspended"),
    takendownUsers: users("takendown"),
    deactivatedUsers: users("deactivated"),
    totalCommunities: await comms(),
    activeCommunities: await comms(eq(communities.status, "active")),
    suspendedCommunities: await comms(eq(communities.status, "suspended")),
    takendownCommunities: await comms(eq(communities.status, "takendown")),
    privateCommunities: await comms(and(hosted, eq(communities.visibility, "private"))),
    totalInvites: (await orm.select({ n: count() }).from(invites).get())?.n ?? 0,
    activeInvites: (await orm.select({ n: count() }).from(invites).where(activeInvites).get())?.n ?? 0,
    // governance proposals (05 §5) are not built in this version: nothing can be open
    openProposals: 0,
    partnerKeys: (await orm.select({ n: count() }).from(partnerKeys).where(inArray(partnerKeys.status, ["active"])).get())?.n ?? 0,
    firehoseSeq: await s.firehoseSeq(),
    firehoseSubscribers: s.firehoseSubscribers(),
    blobBytes,
  };
}
