// drizzle table definition for the firehose event log.
import { blob, index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** One row per firehose event; `seq` is assigned as max+1 inside the writing transaction (consecutive, no gaps). */
export const repoEvents = sqliteTable(
  "repo_events",
  {
    seq: integer("seq").primaryKey(),
    did: text("did").notNull(),
    /** frame type: `#commit`, `#sync`, `#identity`, `#account` */
    type: text("type").notNull(),
    /** the DAG-CBOR frame body, `seq` included */
    body: blob("body", { mode: "buffer" }).notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("repo_events_created_at").on(t.createdAt)],
);
