// drizzle tables of the OAuth authorization server (11 §10). DDL: ./migration.ts (migration 21).
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** A pushed authorization request (11 §5.1) until its code is exchanged; only the SHA-256 of the code is kept. */
export const oauthRequests = sqliteTable("oauth_request", {
  id: text("id").primaryKey(),
  clientId: text("client_id").notNull(),
  /** the PAR parameters as JSON (redirect_uri, scope, state, code_challenge, login_hint, prompt, response_mode) */
  paramsJson: text("params_json").notNull(),
  /** RFC 7638 thumbprint of the PAR's DPoP key: the token request, refreshes and XRPC calls must use it */
  dpopJkt: text("dpop_jkt").notNull(),
  /** the browser that opened the page (device cookie): the CSRF token is bound to it */
  deviceId: text("device_id"),
  did: text("did"),
  codeHash: text("code_hash"),
  codeExpiresAt: integer("code_expires_at"),
  expiresAt: integer("expires_at").notNull(),
  createdAt: integer("created_at").notNull(),
});

/** An OAuth session (11 §6): the current and previous refresh-token hash, the DPoP binding; revocation is immediate. */
export const oauthSessions = sqliteTable("oauth_session", {
  id: text("id").primaryKey(),
  did: text("did").notNull(),
  clientId: text("client_id").notNull(),
  dpopJkt: text("dpop_jkt").notNull(),
  scope: text("scope").notNull(),
  refreshHash: text("refresh_hash").notNull(),
  previousRefreshHash: text("previous_refresh_hash"),
  /** the token response the last rotation gave, sealed with the previous refresh token (src/util/holder-seal.ts) */
  previousSuccessor: text("previous_successor"),
  rotatedAt: integer("rotated_at"),
  /** the code this session was created from (a replayed code revokes it, 11 §6.1) */
  codeHash: text("code_hash").notNull(),
  createdAt: integer("created_at").notNull(),
  lastUsedAt: integer("last_used_at"),
  expiresAt: integer("expires_at").notNull(),
  refreshExpiresAt: integer("refresh_expires_at").notNull(),
  revokedAt: integer("revoked_at"),
  revokedBy: text("revoked_by"),
});

/** SHA-256 of PKCE challenges used in the last 24 h (11 §5.1: a challenge is never reused). */
export const oauthCodeChallenges = sqliteTable("oauth_code_challenge", {
  hash: text("hash").primaryKey(),
  expiresAt: integer("expires_at").notNull(),
});
