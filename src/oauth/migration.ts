// Migration 21: the OAuth authorization server's tables (11 §10): PAR requests, sessions, used PKCE challenges.
import type { Migration } from "../db/migrations/index.ts";

export const OAUTH_MIGRATION: Migration = {
  id: 21,
  name: "oauth",
  sqlite: [
    `CREATE TABLE oauth_request (
      id TEXT PRIMARY KEY NOT NULL,
      client_id TEXT NOT NULL,
      params_json TEXT NOT NULL,
      dpop_jkt TEXT NOT NULL,
      device_id TEXT,
      did TEXT,
      code_hash TEXT,
      code_expires_at INTEGER,
      expires_at INTEGER NOT NULL,
      created_at INTEGER NOT NULL
    )`,
    `CREATE UNIQUE INDEX oauth_request_code ON oauth_request (code_hash)`,
    `CREATE INDEX oauth_request_did ON oauth_request (did)`,
    `CREATE TABLE oauth_session (
      id TEXT PRIMARY KEY NOT NULL,
      did TEXT NOT NULL,
      client_id TEXT NOT NULL,
      dpop_jkt TEXT NOT NULL,
      scope TEXT NOT NULL,
      refresh_hash TEXT NOT NULL,
      previous_refresh_hash TEXT,
      rotated_at INTEGER,
      code_hash TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      last_used_at INTEGER,
      expires_at INTEGER NOT NULL,
      refresh_expires_at INTEGER NOT NULL,
      revoked_at INTEGER,
      revoked_by TEXT
    )`,
    `CREATE UNIQUE INDEX oauth_session_refresh ON oauth_session (refresh_hash)`,
    `CREATE INDEX oauth_session_previous_refresh ON oauth_session (previous_refresh_hash)`,
    `CREATE UNIQUE INDEX oauth_session_code ON oauth_session (code_hash)`,
    `CREATE INDEX oauth_session_did ON oauth_session (did)`,
    `CREATE TABLE oauth_code_challenge (
      hash TEXT PRIMARY KEY NOT NULL,
      expires_at INTEGER NOT NULL
    ) WITHOUT ROWID`,
  ],
};
