// Composition of exports (06 §2, §4, §10): which full-repo downloads count as holder exports, account.export, and the
// scheduled community snapshots with their job.
import type { Config } from "../config/types.ts";
import type { Database } from "../db/database.ts";
import type { Logger } from "../util/logger.ts";
import type { Clock } from "../util/clock.ts";
import type { JobScheduler } from "../jobs/scheduler.ts";
import type { RepoService } from "../repo/index.ts";
import type { AccountServices } from "../account/index.ts";
import type { CommunityService } from "../community/index.ts";
import { HolderExports } from "../repo/holder-exports.ts";
import { AccountExportService, accountHolderExport } from "../account/export.ts";
import { communityOwnerExport } from "../community/export.ts";
import { membershipsOf } from "../community/memberships-of.ts";
import { buildExportSnapshots } from "../community/snapshots/index.ts";

export interface ExportDeps {
  config: Config;
  db: Database;
  logger: Logger;
  now: Clock;
  jobs: JobScheduler;
  repo: RepoService;
  accounts: AccountServices["accounts"];
  audit: AccountServices["audit"];
  preferences: AccountServices["preferences"];
  communities: CommunityService;
}

export function buildExports(deps: ExportDeps) {
  const { config, db, now, repo, accounts, audit, preferences, communities } = deps;
  // the account itself, or a community's owner (06 §2); staff downloads never count
  const holderExports = new HolderExports({ db, rules: [accountHolderExport, communityOwnerExport], now });
  // 06 §10: scheduled CAR snapshots under <DATA_DIR>/exports (a check at start, then every EXPORT_CHECK_INTERVAL_MS)
  const exportSnapshots = buildExportSnapshots({ config, db, repo, audit, holderExports, clock: now, logger: deps.logger.child({ component: "export-scheduler" }) });
  if (config.exportSchedulerEnabled) deps.jobs.add(exportSnapshots.job(config.exportCheckIntervalMs));
  const accountExports = new AccountExportService({
    db, accounts, repo, audit, holderExports, memberships: (did) => membershipsOf(communities, did), preferences: (did, full) => preferences.stored(did, full), now,
  });
  return { holderExports, exportSnapshots, accountExports };
}
