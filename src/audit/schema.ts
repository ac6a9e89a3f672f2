// drizzle table definition for the audit log (spec 06 §8). DDL lives in src/account/migrations.ts (migration 2).
import { sqliteTable, text } from "drizzle-orm/sqlite-core";

export const auditLog = sqliteTable("audit_log", {
  /** TID: time-ordered, so it is also the keyset cursor */
  id: text("id").primaryKey(),
  action: text("action").notNull(),
  actorType: text("actor_type").notNull(),
  actorDid: text("actor_did"),
  partnerKeyId: text("partner_key_id"),
  targetDid: text("target_did"),
  targetId: text("target_id"),
  meta: text("meta").notNull(),
  ip: text("ip"),
  createdAt: text("created_at").notNull(),
});
