// Embedded, forward-only schema migrations (TypeScript modules, so they live inside the binary).
import { accountsMigration } from "../../account/migrations.ts";
import { IDENTITY_MIGRATIONS } from "../../identity/migrations.ts";
import { REPO_MIGRATION } from "../../repo/migrations.ts";
import { BLOB_MIGRATION } from "../../blob/migrations.ts";
import { COMMUNITY_EXPORT_REV_MIGRATION, COMMUNITY_MIGRATION } from "../../community/migrations.ts";
import { COMMUNITY_TRANSFER_MIGRATION } from "../../community/transfer-migrations.ts";
import { PARTNER_MIGRATION } from "../../partner/migrations.ts";
import { EXTERNAL_KEYS_MIGRATION } from "../../account/external-keys-migration.ts";
export interface Migration {
  id: number;
  name: string;
  /** statements run in one transaction */
  sqlite: string[];
}

// Each domain keeps its migrations beside its code and adds them here, in id order (one line each).
export const MIGRATIONS: Migration[] = [
  {
    id: 1,
    name: "server_meta",
    sqlite: [
      `CREATE TABLE server_meta (
        key TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL
      )`,
    ],
  },
  accountsMigration,
  ...IDENTITY_MIGRATIONS,
  REPO_MIGRATION,
  BLOB_MIGRATION,
  COMMUNITY_MIGRATION,
  COMMUNITY_TRANSFER_MIGRATION,
  COMMUNITY_EXPORT_REV_MIGRATION,
  PARTNER_MIGRATION,
  EXTERNAL_KEYS_MIGRATION,
  // migrations: added by each domain
].sort((a, b) => a.id - b.id);

export const SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.id));
