// Export schedules and snapshots (06 §10): the store, the admin methods' service and the scheduler job, built together.
import type { Database } from "../../db/database.ts";
import type { AuditLog } from "../../audit/audit-log.ts";
import type { RepoService } from "../../repo/service.ts";
import type { HolderExports } from "../../repo/holder-exports.ts";
import type { Job } from "../../jobs/scheduler.ts";
import type { Logger } from "../../util/logger.ts";
import { SnapshotStore } from "./store.ts";
import { ExportScheduleService } from "./schedules.ts";
import { ExportScheduler } from "./scheduler.ts";

export { ExportScheduleService } from "./schedules.ts";
export { ExportScheduler } from "./scheduler.ts";

export const EXPORT_JOB = "export-scheduler";

export interface ExportSnapshots {
  schedules: ExportScheduleService;
  scheduler: ExportScheduler;
  /** the scheduler's job: a check at start, then every `intervalMs` */
  job(intervalMs: number): Job;
}

export function buildExportSnapshots(deps: {
  config: { dataDir: string; exportsDir: string; handleDomain: string };
  db: Database;
  repo: Pick<RepoService, "head" | "getRepoCar">;
  audit: Pick<AuditLog, "writeInTx">;
  holderExports: Pick<HolderExports, "recordOnComplete">;
  clock: () => number;
  logger: Logger;
}): ExportSnapshots {
  const store = new SnapshotStore(deps.config.exportsDir);
  const schedules = new ExportScheduleService({ ...deps, store });
  const scheduler = new ExportScheduler({ ...deps, store });
  return {
    schedules,
    scheduler,
    job: (intervalMs) => ({ name: EXPORT_JOB, intervalMs, runAtStart: true, run: () => scheduler.runDue().then(() => {}) }),
  };
}
