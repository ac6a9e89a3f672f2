// drizzle table for the attestations projection (05 §8); DDL: ./attestation-migration.ts. The record itself stays in `records`.
import { primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const communityAttestations = sqliteTable(
  "community_attestations",
  {
    communityDid: text("community_did").notNull(),
    /** TID rkey: newest first is rkey descending */
    rkey: text("rkey").notNull(),
    subjectDid: text("subject_did").notNull(),
    type: text("type").notNull(),
    /** ISO 8601 UTC (toISOString), as written by issueAttestation; null when it never expires */
    expiresAt: text("expires_at"),
  },
  (t) => [primaryKey({ columns: [t.communityDid, t.rkey] })],
);
