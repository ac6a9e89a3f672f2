// drizzle table definition for partner API keys (spec 06 §7). DDL: ./migrations.ts.
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Only SHA-256(key) is stored; `keyPrefix` (the first 12 characters) lets staff recognise a key. */
export const partnerKeys = sqliteTable("partner_keys", {
  id: text("id").primaryKey(),
  keyHash: text("key_hash").notNull(),
  keyPrefix: text("key_prefix").notNull(),
  name: text("name").notNull(),
  partnerName: text("partner_name").notNull(),
  /** JSON array of permission names (only "register" today) */
  permissions: text("permissions").notNull(),
  /** JSON array of normalised origins */
  allowedOrigins: text("allowed_origins").notNull(),
  rateLimitPerHour: integer("rate_limit_per_hour").notNull(),
  status: text("status").notNull(),
  lastUsedAt: text("last_used_at"),
  totalRegistrations: integer("total_registrations").notNull(),
  createdAt: text("created_at").notNull(),
  createdBy: text("created_by").notNull(),
  revokedAt: text("revoked_at"),
  revokedBy: text("revoked_by"),
});

export type PartnerKeyRow = typeof partnerKeys.$inferSelect;

/** The JSON array columns (permissions, allowed_origins) as lists. */
export const parseList = (json: string): string[] => JSON.parse(json) as string[];
