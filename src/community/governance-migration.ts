// Migration 16: the proposals projection (spec 05 §6) for listing by status, the open-proposal limit and the expiry sweep.
import type { Migration } from "../db/migrations/index.ts";

export const COMMUNITY_GOVERNANCE_MIGRATION: Migration = {
  id: 16,
  name: "community_proposals",
  sqlite: [
    `CREATE TABLE community_proposals (
      community_did TEXT NOT NULL,
      rkey TEXT NOT NULL,
      status TEXT NOT NULL,
      expires_at TEXT NOT NULL,
      PRIMARY KEY (community_did, rkey)
    ) WITHOUT ROWID`,
    `CREATE INDEX community_proposals_status ON community_proposals (status, expires_at)`,
  ],
};
