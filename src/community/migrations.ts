// Migration 6: communities, join requests, and the member/role projections (spec 04 §1, 03 §1).
import type { Migration } from "../db/migrations/index.ts";

export const COMMUNITY_MIGRATION: Migration = {
  id: 6,
  name: "communities",
  sqlite: [
    `CREATE TABLE communities (
      did TEXT PRIMARY KEY NOT NULL,
      name TEXT NOT NULL,
      did_method TEXT NOT NULL,
      domain TEXT,
      owner_did TEXT NOT NULL,
      created_by TEXT NOT NULL,
      created_at TEXT NOT NULL,
      status TEXT NOT NULL,
      previous_status TEXT,
      status_reason TEXT,
      status_changed_at TEXT,
      status_changed_by TEXT,
      suspended_at TEXT,
      visibility TEXT NOT NULL,
      join_policy TEXT NOT NULL,
      governance_model TEXT NOT NULL,
      display_name TEXT NOT NULL,
      description TEXT NOT NULL,
      owner_exported_at TEXT,
      identity_verified INTEGER NOT NULL,
      migrated_to TEXT,
      pending_transfer_id TEXT,
      pending_transfer_expires_at TEXT
    )`,
    // one namespace with accounts: AccountService and CommunityService both check the other table in the
    // reserve transaction; this index makes two communities with one name impossible.
    `CREATE UNIQUE INDEX communities_name ON communities(name)`,
    `CREATE UNIQUE INDEX communities_domain ON communities(domain) WHERE domain IS NOT NULL`,
    `CREATE INDEX communities_created ON communities(created_at, did)`,
    `CREATE INDEX communities_owner ON communities(owner_did)`,
    `CREATE TABLE join_requests (
      id TEXT PRIMARY KEY NOT NULL,
      community_did TEXT NOT NULL,
      did TEXT NOT NULL,
      status TEXT NOT NULL,
      created_at TEXT NOT NULL,
      resolved_at TEXT,
      resolved_by TEXT
    )`,
    `CREATE UNIQUE INDEX join_requests_member ON join_requests(community_did, did)`,
    `CREATE INDEX join_requests_status ON join_requests(community_did, status, created_at)`,
    `CREATE TABLE community_members (
      community_did TEXT NOT NULL,
      member_did TEXT NOT NULL,
      role_rkey TEXT NOT NULL,
      joined_at TEXT NOT NULL,
      PRIMARY KEY (community_did, member_did)
    ) WITHOUT ROWID`,
    `CREATE INDEX community_members_member ON community_members(member_did, community_did)`,
    `CREATE INDEX community_members_joined ON community_members(community_did, joined_at)`,
    `CREATE TABLE community_roles (
      community_did TEXT NOT NULL,
      rkey TEXT NOT NULL,
      name TEXT NOT NULL,
      permissions TEXT NOT NULL,
      PRIMARY KEY (community_did, rkey)
    ) WITHOUT ROWID`,
  ],
};

/** Migration 8: the export rule compares repo revisions (06 §2): the rev an owner export covered. */
export const COMMUNITY_EXPORT_REV_MIGRATION: Migration = {
  id: 8,
  name: "community_export_rev",
  sqlite: [`ALTER TABLE communities ADD COLUMN owner_exported_rev TEXT`],
};
