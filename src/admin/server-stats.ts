// server.getConfig's stats (06 §9): plain SQL counts over the domains' tables, read at the time of the call.
import { and, count, eq, gt, inArray, isNull, notInArray, or, sql } from "drizzle-orm";
import type { Database } from "../db/database.ts";
import { sqliteOf } from "../db/sqlite.ts";
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
  firehoseSeq: () => number;
  firehoseSubscribers: () => number;
  now: () => number;
}

export function serverStats(s: StatsSources): ServerStats {
  const orm = s.db.orm;
  const nowIso = new Date(s.now()).toISOString();
  const byStatus = new Map(
    orm.select({ status: accounts.status, n: count() }).from(accounts).groupBy(accounts.status).all().map((r) => [r.status, r.n]),
  );
  const users = (status: string) => byStatus.get(status) ?? 0;
  const totalUsers = [...byStatus].filter(([st]) => !NOT_ACCOUNTS.includes(st)).reduce((sum, [, n]) => sum + n, 0);
  const hosted = notInArray(communities.status, NOT_COMMUNITIES);
  const comms = (where = hosted) => orm.select({ n: count() }).from(communities).where(where).get()?.n ?? 0;
  const activeInvites = and(isNull(invites.revokedAt), or(isNull(invites.expiresAt), gt(invites.expiresAt, nowIso)), sql`${invites.usesCount} < ${invites.maxUses}`);
  // the blob domain keeps its table outside drizzle (src/blob/migrations.ts): one portable aggregate
  const blobBytes = sqliteOf(orm).query<{ n: number }, []>("SELECT COALESCE(SUM(size), 0) AS n FROM blobs").get()?.n ?? 0;
  return {
    totalUsers,
    pendingUsers: users("pending"),
    approvedUsers: users("approved"),
    suspendedUsers: users("suspended"),
    takendownUsers: users("takendown"),
    deactivatedUsers: users("deactivated"),
    totalCommunities: comms(),
    activeCommunities: comms(eq(communities.status, "active")),
    suspendedCommunities: comms(eq(communities.status, "suspended")),
    takendownCommunities: comms(eq(communities.status, "takendown")),
    privateCommunities: comms(and(hosted, eq(communities.visibility, "private"))),
    totalInvites: orm.select({ n: count() }).from(invites).get()?.n ?? 0,
    activeInvites: orm.select({ n: count() }).from(invites).where(activeInvites).get()?.n ?? 0,
    // governance proposals (05 §5) are not built in this version: nothing can be open
    openProposals: 0,
    partnerKeys: orm.select({ n: count() }).from(partnerKeys).where(inArray(partnerKeys.status, ["active"])).get()?.n ?? 0,
    firehoseSeq: s.firehoseSeq(),
    firehoseSubscribers: s.firehoseSubscribers(),
    blobBytes,
  };
}
