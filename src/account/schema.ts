// drizzle table definitions for accounts, roles, invites, sessions and login failures (spec 01). DDL: ./migrations.ts.
import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const accounts = sqliteTable("accounts", {
  did: text("did").primaryKey(),
  /** local name; stays on a rejected row but a partial unique index releases it */
  name: text("name"),
  /** external handle when the account switched away from <name>.<HANDLE_DOMAIN> (02 §6) */
  externalHandle: text("external_handle"),
  email: text("email").notNull(),
  /** set by confirmEmail, cleared whenever the email changes (10 §5; migration 20) */
  emailConfirmedAt: text("email_confirmed_at"),
  passwordHash: text("password_hash").notNull(),
  status: text("status").notNull(),
  previousStatus: text("previous_status"),
  statusReason: text("status_reason"),
  statusChangedAt: text("status_changed_at"),
  statusChangedBy: text("status_changed_by"),
  createdVia: text("created_via").notNull(),
  createdAt: text("created_at").notNull(),
  approvedAt: text("approved_at"),
  approvedBy: text("approved_by"),
  partnerKeyId: text("partner_key_id"),
  inviteCode: text("invite_code"),
  holderExportedAt: text("holder_exported_at"),
  /** the repo rev the latest holder export covered (06 §2) */
  holderExportedRev: text("holder_exported_rev"),
  /** start of the current continuous suspension; a takedown continues it (06 §2) */
  suspendedAt: text("suspended_at"),
});

export const accountRoles = sqliteTable(
  "account_roles",
  { did: text("did").notNull(), role: text("role").notNull() },
  (t) => [primaryKey({ columns: [t.did, t.role] })],
);

export const invites = sqliteTable("invites", {
  code: text("code").primaryKey(),
  maxUses: integer("max_uses").notNull(),
  usesCount: integer("uses_count").notNull(),
  expiresAt: text("expires_at"),
  boundTo: text("bound_to"),
  note: text("note"),
  createdBy: text("created_by").notNull(),
  createdAt: text("created_at").notNull(),
  revokedAt: text("revoked_at"),
});

export const inviteUses = sqliteTable("invite_uses", {
  code: text("code").notNull(),
  did: text("did").notNull(),
  usedAt: text("used_at").notNull(),
});

/** A session is a family of refresh tokens produced by rotation; revoking it kills every token at once. */
export const sessions = sqliteTable("sessions", {
  id: text("id").primaryKey(),
  did: text("did").notNull(),
  createdAt: text("created_at").notNull(),
  lastUsedAt: text("last_used_at").notNull(),
  expiresAt: text("expires_at").notNull(),
  revokedAt: text("revoked_at"),
  /** the app password this session was created with (10 §4; migration 19), null for a full session */
  appPasswordId: text("app_password_id"),
});

/** Only SHA-256(jti) of a refresh token is stored. */
export const refreshTokens = sqliteTable("refresh_tokens", {
  hash: text("hash").primaryKey(),
  sid: text("sid").notNull(),
  createdAt: text("created_at").notNull(),
  expiresAt: text("expires_at").notNull(),
  rotatedAt: text("rotated_at"),
  /** the pair this token's rotation produced, sealed with the token's jti (src/util/holder-seal.ts), for the grace */
  successor: text("successor"),
});

export const loginFailures = sqliteTable("login_failures", {
  key: text("key").primaryKey(),
  count: integer("count").notNull(),
  lastFailureAt: integer("last_failure_at").notNull(),
  lockedUntil: integer("locked_until"),
});
