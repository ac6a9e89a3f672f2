// Migration 15: the attestations projection (spec 05 §8) so listAttestations filters by subject, type and expiry in SQL.
import type { Migration } from "../db/migrations/index.ts";

export const COMMUNITY_ATTESTATIONS_MIGRATION: Migration = {
  id: 15,
  name: "community_attestations",
  sqlite: [
    `CREATE TABLE community_attestations (
      community_did TEXT NOT NULL,
      rkey TEXT NOT NULL,
      subject_did TEXT NOT NULL,
      type TEXT NOT NULL,
      expires_at TEXT,
      PRIMARY KEY (community_did, rkey)
    ) WITHOUT ROWID`,
    `CREATE INDEX community_attestations_subject ON community_attestations (community_did, subject_did, rkey)`,
    `CREATE INDEX community_attestations_type ON community_attestations (community_did, type, rkey)`,
  ],
};
