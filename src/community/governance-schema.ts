// The proposals projection (DDL: ./governance-migration.ts, migration 16): one row per proposal record, kept in the
// commit transaction by the community writer (applyProjectionsInTx). Votes and delegations live only in the records.
import { primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

export type ProposalStatus = "open" | "approved" | "rejected" | "expired" | "failed";

export const communityProposals = sqliteTable(
  "community_proposals",
  {
    communityDid: text("community_did").notNull(),
    rkey: text("rkey").notNull(),
    status: text("status").$type<ProposalStatus>().notNull(),
    expiresAt: text("expires_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.communityDid, t.rkey] })],
);
