// drizzle tables of app passwords (10 §4) and private preferences (10 §3). DDL: ./app-passwords-migration.ts.
import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Only HMAC-SHA-256(pepper, did ‖ password) is stored; the password is shown once at creation. */
export const appPasswords = sqliteTable("app_passwords", {
  id: text("id").primaryKey(),
  did: text("did").notNull(),
  name: text("name").notNull(),
  nameKey: text("name_key").notNull(),
  passwordHash: text("password_hash").notNull(),
  privileged: integer("privileged", { mode: "boolean" }).notNull(),
  createdAt: text("created_at").notNull(),
  lastUsedAt: text("last_used_at"),
});

/** An account's app.bsky preferences in stored order (`position`); never in the repo, the firehose or a CAR. */
export const accountPrefs = sqliteTable("account_prefs", {
  did: text("did").notNull(),
  position: integer("position").notNull(),
  type: text("type").notNull(),
  valueJson: text("value_json").notNull(),
}, (t) => [primaryKey({ columns: [t.did, t.position] })]);
