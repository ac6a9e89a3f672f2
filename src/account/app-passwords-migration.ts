// Migration 19: app passwords (10 §4), the session → app password binding, and private preferences (10 §3).
import type { Migration } from "../db/migrations/index.ts";

export const APP_PASSWORDS_PREFS_MIGRATION: Migration = {
  id: 19,
  name: "app_passwords_preferences",
  sqlite: [
    `CREATE TABLE app_passwords (
      id TEXT PRIMARY KEY NOT NULL,
      did TEXT NOT NULL,
      name TEXT NOT NULL,
      name_key TEXT NOT NULL,
      password_hash TEXT NOT NULL,
      privileged INTEGER NOT NULL,
      created_at TEXT NOT NULL,
      last_used_at TEXT
    )`,
    // names are unique per account case-insensitively (name_key is the lower-cased name)
    `CREATE UNIQUE INDEX app_passwords_name ON app_passwords (did, name_key)`,
    // the app password a session was created with (null for full sessions): revocation and the scope on refresh
    `ALTER TABLE sessions ADD COLUMN app_password_id TEXT`,
    `CREATE INDEX sessions_app_password ON sessions (app_password_id)`,
    `CREATE TABLE account_prefs (
      did TEXT NOT NULL,
      position INTEGER NOT NULL,
      type TEXT NOT NULL,
      value_json TEXT NOT NULL,
      PRIMARY KEY (did, position)
    ) WITHOUT ROWID`,
  ],
};
