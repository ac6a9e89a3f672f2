// Tables of the transfer to another server (04 §8): the source side's transfers and the destination side's imports.
// DDL: ./transfer-migrations.ts (migration 7).
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Source side: one row per `transfer` call; the token is stored as its SHA-256 (hex). */
export const communityTransfers = sqliteTable("community_transfers", {
  id: text("id").primaryKey(),
  communityDid: text("community_did").notNull(),
  tokenHash: text("token_hash").notNull(),
  /** pending | cancelled | completed */
  status: text("status").$type<"pending" | "cancelled" | "completed">().notNull(),
  destination: text("destination").notNull(),
  destHandle: text("dest_handle").notNull(),
  destSigningKey: text("dest_signing_key").notNull(),
  importId: text("import_id").notNull(),
  rootCid: text("root_cid").notNull(),
  rev: text("rev").notNull(),
  /** JSON of the signed PLC operation (plc) */
  plcOperation: text("plc_operation"),
  downloads: integer("downloads").notNull(),
  createdBy: text("created_by").notNull(),
  createdAt: text("created_at").notNull(),
  expiresAt: text("expires_at").notNull(),
  resolvedAt: text("resolved_at"),
});

/** Destination side: one row per `prepareImport`; the community row is `importing` meanwhile. */
export const communityImports = sqliteTable("community_imports", {
  id: text("id").primaryKey(),
  communityDid: text("community_did").notNull(),
  name: text("name").notNull(),
  sourcePds: text("source_pds").notNull(),
  /** preparing | completed */
  status: text("status").$type<"preparing" | "completed">().notNull(),
  createdBy: text("created_by").notNull(),
  createdAt: text("created_at").notNull(),
  expiresAt: text("expires_at").notNull(),
  rootCid: text("root_cid"),
  completedAt: text("completed_at"),
});

export type TransferRow = typeof communityTransfers.$inferSelect;
export type ImportRow = typeof communityImports.$inferSelect;
