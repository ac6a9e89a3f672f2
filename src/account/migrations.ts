// Migration 2: accounts, roles, invites, sessions, login failures and the audit log (spec 01, 06 §8).
import type { Migration } from "../db/migrations/index.ts";

export const accountsMigration: Migration = {
  id: 2,
  name: "accounts_sessions_audit",
  sqlite: [
    `CREATE TABLE accounts (
      did TEXT PRIMARY KEY NOT NULL,
      name TEXT,
      external_handle TEXT,
      email TEXT NOT NULL,
      password_hash TEXT NOT NULL,
      status TEXT NOT NULL,
      previous_status TEXT,
      status_reason TEXT,
      status_changed_at TEXT,
      status_changed_by TEXT,
      created_via TEXT NOT NULL,
      created_at TEXT NOT NULL,
      approved_at TEXT,
      approved_by TEXT,
      partner_key_id TEXT,
      invite_code TEXT,
      holder_exported_at TEXT
    )`,
    // Names and emails are released by rejection: uniqueness holds among non-rejected rows only.
    `CREATE UNIQUE INDEX accounts_name_live ON accounts(name) WHERE status <> 'rejected' AND name IS NOT NULL`,
    `CREATE UNIQUE INDEX accounts_email_live ON accounts(email) WHERE status <> 'rejected'`,
    `CREATE INDEX accounts_created ON accounts(created_at, did)`,
    `CREATE INDEX accounts_status ON accounts(status, created_at)`,
    `CREATE TABLE account_roles (
      did TEXT NOT NULL,
      role TEXT NOT NULL,
      PRIMARY KEY (did, role)
    )`,
    `CREATE TABLE invites (
      code TEXT PRIMARY KEY NOT NULL,
      max_uses INTEGER NOT NULL,
      uses_count INTEGER NOT NULL DEFAULT 0,
      expires_at TEXT,
      bound_to TEXT,
      note TEXT,
      created_by TEXT NOT NULL,
      created_at TEXT NOT NULL,
      revoked_at TEXT
    )`,
    `CREATE INDEX invites_created ON invites(created_at, code)`,
    `CREATE TABLE invite_uses (
      code TEXT NOT NULL,
      did TEXT NOT NULL,
      used_at TEXT NOT NULL
    )`,
    `CREATE INDEX invite_uses_code ON invite_uses(code)`,
    `CREATE TABLE sessions (
      id TEXT PRIMARY KEY NOT NULL,
      did TEXT NOT NULL,
      created_at TEXT NOT NULL,
      last_used_at TEXT NOT NULL,
      expires_at TEXT NOT NULL,
      revoked_at TEXT
    )`,
    `CREATE INDEX sessions_did ON sessions(did)`,
    `CREATE TABLE refresh_tokens (
      hash TEXT PRIMARY KEY NOT NULL,
      sid TEXT NOT NULL,
      created_at TEXT NOT NULL,
      expires_at TEXT NOT NULL,
      rotated_at TEXT
    )`,
    `CREATE INDEX refresh_tokens_sid ON refresh_tokens(sid)`,
    `CREATE TABLE login_failures (
      key TEXT PRIMARY KEY NOT NULL,
      count INTEGER NOT NULL,
      last_failure_at INTEGER NOT NULL,
      locked_until INTEGER
    )`,
    `CREATE TABLE audit_log (
      id TEXT PRIMARY KEY NOT NULL,
      action TEXT NOT NULL,
      actor_type TEXT NOT NULL,
      actor_did TEXT,
      partner_key_id TEXT,
      target_did TEXT,
      target_id TEXT,
      meta TEXT NOT NULL,
      ip TEXT,
      created_at TEXT NOT NULL
    )`,
    `CREATE INDEX audit_log_action ON audit_log(action, id)`,
    `CREATE INDEX audit_log_actor ON audit_log(actor_did, id)`,
    `CREATE INDEX audit_log_target ON audit_log(target_did, id)`,
  ],
};
