// drizzle tables for export schedules and snapshots (spec 06 §10). DDL: ./migration.ts.
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export type ExportInterval = "daily" | "weekly" | "monthly";
export type ExportStatus = "success" | "failed";

export const exportSchedules = sqliteTable("export_schedules", {
  id: text("id").primaryKey(),
  communityDid: text("community_did").notNull(),
  interval: text("export_interval").$type<ExportInterval>().notNull(),
  retentionCount: integer("retention_count").notNull(),
  enabled: integer("enabled", { mode: "boolean" }).notNull(),
  /** the last SUCCESSFUL snapshot (the due rule counts from it) */
  lastExportAt: text("last_export_at"),
  lastAttemptAt: text("last_attempt_at"),
  /** outcome of the last attempt */
  lastStatus: text("last_status").$type<ExportStatus>(),
  lastError: text("last_error"),
  /** due when enabled and next_run_at <= now (the server clock): last success + interval, or now after a failure */
  nextRunAt: text("next_run_at").notNull(),
  createdAt: text("created_at").notNull(),
  createdBy: text("created_by").notNull(),
  updatedAt: text("updated_at").notNull(),
});

export const exportSnapshots = sqliteTable("export_snapshots", {
  id: text("id").primaryKey(),
  communityDid: text("community_did").notNull(),
  /** `<did>/<UTC timestamp>-<rev>.car`, relative to `<DATA_DIR>/exports` */
  storageKey: text("storage_key").notNull(),
  sizeBytes: integer("size_bytes").notNull(),
  rootCid: text("root_cid").notNull(),
  rev: text("rev").notNull(),
  sha256: text("sha256").notNull(),
  createdAt: text("created_at").notNull(),
});

export type ExportScheduleRow = typeof exportSchedules.$inferSelect;
export type ExportSnapshotRow = typeof exportSnapshots.$inferSelect;

export const INTERVAL_MS: Record<ExportInterval, number> = {
  daily: 86_400_000,
  weekly: 7 * 86_400_000,
  monthly: 30 * 86_400_000,
};
