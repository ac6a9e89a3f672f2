// drizzle table definitions for the PDS database (SQLite dialect; the Postgres twin mirrors these names).
import { sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Small server-wide key/value facts: installation salt, service key, high-water marks. */
export const serverMeta = sqliteTable("server_meta", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
  updatedAt: text("updated_at").notNull(),
});
