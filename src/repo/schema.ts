// drizzle table definitions for repo storage: blocks, the current root per DID, and the records index.
import { blob, index, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Every block reachable from a repo's current commit (history is not kept, spec 03 §1). `cid` is the binary CID. */
export const repoBlocks = sqliteTable(
  "repo_blocks",
  {
    did: text("did").notNull(),
    cid: blob("cid", { mode: "buffer" }).notNull(),
    bytes: blob("bytes", { mode: "buffer" }).notNull(),
    /** rev of the commit that first wrote this block; getRepo `since` filters on it */
    rev: text("rev").notNull(),
  },
  (t) => [primaryKey({ columns: [t.did, t.cid] }), index("repo_blocks_did_rev").on(t.did, t.rev)],
);

/** The head of each hosted repo. */
export const repoRoots = sqliteTable("repo_roots", {
  did: text("did").primaryKey(),
  commitCid: text("commit_cid").notNull(),
  rev: text("rev").notNull(),
  dataCid: text("data_cid"),
  updatedAt: text("updated_at").notNull(),
});

/** The records index: one row per record of the current commit, written in the commit's transaction. */
export const records = sqliteTable(
  "records",
  {
    did: text("did").notNull(),
    collection: text("collection").notNull(),
    rkey: text("rkey").notNull(),
    cid: text("cid").notNull(),
    /** the record as AT Protocol JSON (`$link`, `$bytes`) */
    value: text("value").notNull(),
    validationStatus: text("validation_status").notNull(),
    indexedAt: text("indexed_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.did, t.collection, t.rkey] }), index("records_did_cid").on(t.did, t.cid)],
);
