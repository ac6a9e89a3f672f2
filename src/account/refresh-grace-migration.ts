// Migration 23: a rotated refresh token's successor, sealed for the old token's holder, so the 10 s grace (01 §9, 11 §6)
// holds across cluster processes; for app sessions and OAuth sessions alike.
import type { Migration } from "../db/migrations/index.ts";

export const REFRESH_GRACE_MIGRATION: Migration = {
  id: 23,
  name: "refresh_grace",
  sqlite: [`ALTER TABLE refresh_tokens ADD COLUMN successor TEXT`, `ALTER TABLE oauth_session ADD COLUMN previous_successor TEXT`],
};
