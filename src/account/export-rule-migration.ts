// Migration 12: the account export rule (06 §2) compares repo revisions, and counts a continuous suspension.
import type { Migration } from "../db/migrations/index.ts";

export const ACCOUNT_EXPORT_RULE_MIGRATION: Migration = {
  id: 12,
  name: "account_export_rule",
  sqlite: [
    // the repo rev the latest holder export covered: the rule holds while it is the head rev
    `ALTER TABLE accounts ADD COLUMN holder_exported_rev TEXT`,
    // when the current continuous suspension began (a takedown continues it; unsuspend to a normal status ends it)
    `ALTER TABLE accounts ADD COLUMN suspended_at TEXT`,
  ],
};
