// drizzle table for external keys (06 §6): a projection of net.openfederation.identity.externalKey records, written in the record's commit.
import { index, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const externalKeys = sqliteTable(
  "external_keys",
  {
    did: text("did").notNull(),
    rkey: text("rkey").notNull(),
    /** CID of the record this row mirrors; reads join on records(did, collection, rkey, cid) so a dropped or replaced repo hides stale rows */
    cid: text("cid").notNull(),
    type: text("type").notNull(),
    purpose: text("purpose").notNull(),
    publicKey: text("public_key").notNull(),
    label: text("label"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.did, t.rkey] }), index("external_keys_public_key").on(t.publicKey, t.createdAt)],
);
