// Composition root for the schema: every domain's migrations in id order, and the database opened with them.
import type { Database } from "./db/database.ts";
import { SqliteDatabase } from "./db/sqlite-database.ts";

import type { Config } from "./config/types.ts";
import { SERVER_META_MIGRATION, SHARED_STATE_MIGRATION, type Migration } from "./db/migrations/index.ts";
import { accountsMigration } from "./account/migrations.ts";
import { IDENTITY_MIGRATIONS } from "./identity/migrations.ts";
import { REPO_MIGRATION } from "./repo/migrations.ts";
import { BLOB_MIGRATION } from "./blob/migrations.ts";
import { COMMUNITY_EXPORT_REV_MIGRATION, COMMUNITY_MIGRATION } from "./community/migrations.ts";
import { COMMUNITY_TRANSFER_MIGRATION } from "./community/transfer-migrations.ts";
import { PARTNER_MIGRATION } from "./partner/migrations.ts";
import { EXTERNAL_KEYS_MIGRATION } from "./account/external-keys-migration.ts";
import { ACCOUNT_EXPORT_RULE_MIGRATION } from "./account/export-rule-migration.ts";
import { PLC_TOMBSTONE_OUTBOX_MIGRATION } from "./identity/tombstone-outbox-schema.ts";
import { EXPORT_SNAPSHOTS_MIGRATION } from "./community/snapshots/migration.ts";
import { COMMUNITY_GOVERNANCE_MIGRATION } from "./community/governance-migration.ts";
import { COMMUNITY_ATTESTATIONS_MIGRATION } from "./community/attestation-migration.ts";
import { APP_PASSWORDS_PREFS_MIGRATION } from "./account/app-passwords-migration.ts";
import { EMAIL_TOKENS_MIGRATION } from "./mail/token-schema.ts";
import { OAUTH_MIGRATION } from "./oauth/migration.ts";
import { REFRESH_GRACE_MIGRATION } from "./account/refresh-grace-migration.ts";

/** Ids are global and never reused; each domain adds its line here. */
export const MIGRATIONS: readonly Migration[] = [
  SERVER_META_MIGRATION,
  accountsMigration,
  ...IDENTITY_MIGRATIONS,
  REPO_MIGRATION,
  BLOB_MIGRATION,
  COMMUNITY_MIGRATION,
  COMMUNITY_TRANSFER_MIGRATION,
  COMMUNITY_EXPORT_REV_MIGRATION,
  PARTNER_MIGRATION,
  EXTERNAL_KEYS_MIGRATION,
  ACCOUNT_EXPORT_RULE_MIGRATION,
  PLC_TOMBSTONE_OUTBOX_MIGRATION,
  EXPORT_SNAPSHOTS_MIGRATION,
  COMMUNITY_GOVERNANCE_MIGRATION,
  COMMUNITY_ATTESTATIONS_MIGRATION,
  APP_PASSWORDS_PREFS_MIGRATION,
  EMAIL_TOKENS_MIGRATION,
  OAUTH_MIGRATION,
  SHARED_STATE_MIGRATION,
  REFRESH_GRACE_MIGRATION,
].sort((a, b) => a.id - b.id);

export const SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.id));

export interface OpenOptions {
  dataDir?: string;
  /** an explicit SQLite file */
  path?: string;
  /** the PostgreSQL connection (config.database); when set, no SQLite file is opened */
  database?: { url: string; ssl: boolean; sslRejectUnauthorized: boolean; poolMax: number; connectTimeoutMs: number } | undefined;
  clusterMode?: boolean;
  /** false: open PostgreSQL without applying migrations (doctor's read-only look) */
  migrate?: boolean;
}

/** The server database with this binary's schema: PostgreSQL when configured, else SQLite under the data dir. */
export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.database) {
    // loaded only when configured: a SQLite server never pays for the PostgreSQL client (memory, start-up)
    const { PostgresDatabase } = await import("./db/postgres.ts");
    return PostgresDatabase.open({ ...opts.database, cluster: opts.clusterMode ?? false, migrations: MIGRATIONS, migrate: opts.migrate });
  }
  return SqliteDatabase.open({ dataDir: opts.dataDir, path: opts.path, migrations: MIGRATIONS });
}

/** openDatabase with the configured engine: what serve and every admin verb use. */
export function openConfiguredDatabase(config: Pick<Config, "dataDir" | "database" | "clusterMode">): Promise<Database> {
  return openDatabase({ dataDir: config.dataDir, database: config.database, clusterMode: config.clusterMode });
}
