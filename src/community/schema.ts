// drizzle tables for communities (04 §1), join requests, and the member/role projections (03 §1). DDL: ./migrations.ts.
import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

export type CommunityStatus = "creating" | "importing" | "active" | "suspended" | "takendown" | "migrated";

export const communities = sqliteTable("communities", {
  did: text("did").primaryKey(),
  /** local name; the handle is `<name>.<HANDLE_DOMAIN>`; shares one namespace with accounts.name */
  name: text("name").notNull(),
  didMethod: text("did_method").$type<"plc" | "web">().notNull(),
  domain: text("domain"),
  ownerDid: text("owner_did").notNull(),
  createdBy: text("created_by").notNull(),
  createdAt: text("created_at").notNull(),
  status: text("status").$type<CommunityStatus>().notNull(),
  previousStatus: text("previous_status"),
  statusReason: text("status_reason"),
  statusChangedAt: text("status_changed_at"),
  statusChangedBy: text("status_changed_by"),
  suspendedAt: text("suspended_at"),
  /** mirrors of settings/self, written in the same transaction as the record */
  visibility: text("visibility").$type<"public" | "private">().notNull(),
  joinPolicy: text("join_policy").$type<"open" | "approval">().notNull(),
  governanceModel: text("governance_model").notNull(),
  /** mirrors of profile/self (listAll search and views) */
  displayName: text("display_name").notNull(),
  description: text("description").notNull(),
  ownerExportedAt: text("owner_exported_at"),
  /** the repo rev the latest owner export covered: the export rule holds while it is the head rev (06 §2) */
  ownerExportedRev: text("owner_exported_rev"),
  /** did:web only: the published document matches (02 §10); always 1 for plc */
  identityVerified: integer("identity_verified", { mode: "boolean" }).notNull(),
  migratedTo: text("migrated_to"),
  /** pending transfer (04 §8): writes are frozen while set and not expired */
  pendingTransferId: text("pending_transfer_id"),
  pendingTransferExpiresAt: text("pending_transfer_expires_at"),
});

export const joinRequests = sqliteTable("join_requests", {
  id: text("id").primaryKey(),
  communityDid: text("community_did").notNull(),
  did: text("did").notNull(),
  status: text("status").$type<"pending" | "approved" | "rejected">().notNull(),
  createdAt: text("created_at").notNull(),
  resolvedAt: text("resolved_at"),
  resolvedBy: text("resolved_by"),
});

/** Projection of `member` records: written only in the commit transaction that writes the record. */
export const communityMembers = sqliteTable(
  "community_members",
  {
    communityDid: text("community_did").notNull(),
    memberDid: text("member_did").notNull(),
    roleRkey: text("role_rkey").notNull(),
    joinedAt: text("joined_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.communityDid, t.memberDid] })],
);

/** Projection of `role` records; `permissions` is a JSON array of permission names. */
export const communityRoles = sqliteTable(
  "community_roles",
  {
    communityDid: text("community_did").notNull(),
    rkey: text("rkey").notNull(),
    name: text("name").notNull(),
    permissions: text("permissions").notNull(),
  },
  (t) => [primaryKey({ columns: [t.communityDid, t.rkey] })],
);

export type CommunityRow = typeof communities.$inferSelect;
export type JoinRequestRow = typeof joinRequests.$inferSelect;
