// The export scheduler (06 §10): every due schedule gets a full CAR snapshot; retention, lastStatus and audit.
import { randomUUID } from "node:crypto";
import { and, asc, desc, eq, lte } from "drizzle-orm";
import type { Database } from "../../db/database.ts";
import type { AuditLog } from "../../audit/audit-log.ts";
import type { RepoService } from "../../repo/service.ts";
import type { Logger } from "../../util/logger.ts";
import { communities } from "../schema.ts";
import { exportSchedules, exportSnapshots, INTERVAL_MS, type ExportScheduleRow } from "./schema.ts";
import { SnapshotWriteError, type SnapshotStore } from "./store.ts";

export interface SchedulerDeps {
  db: Database;
  store: SnapshotStore;
  repo: Pick<RepoService, "getRepoCar">;
  audit: Pick<AuditLog, "writeInTx">;
  logger: Logger;
  clock: () => number;
}

/** Communities whose repo is (still) hosted here; a deleted or moved-away community's schedule is skipped. */
const HOSTED = new Set(["active", "suspended", "takendown"]);

export class ExportScheduler {
  constructor(private readonly deps: SchedulerDeps) {}

  /**
   * One check: every enabled schedule whose next_run_at has passed on the server clock, oldest first.
   * Runs for suspended and takendown communities too. Failures are recorded per schedule, never thrown.
   */
  async runDue(): Promise<{ succeeded: number; failed: number }> {
    const nowIso = new Date(this.deps.clock()).toISOString();
    const due = await this.deps.db.orm.select().from(exportSchedules)
      .where(and(eq(exportSchedules.enabled, true), lte(exportSchedules.nextRunAt, nowIso)))
      .orderBy(asc(exportSchedules.nextRunAt), asc(exportSchedules.id)).all();
    let succeeded = 0;
    let failed = 0;
    for (const schedule of due) {
      const community = await this.deps.db.orm.select({ status: communities.status }).from(communities).where(eq(communities.did, schedule.communityDid)).get();
      if (!community || !HOSTED.has(community.status)) continue;
      if (await this.snapshot(schedule)) succeeded++;
      else failed++;
    }
    return { succeeded, failed };
  }

  private async snapshot(schedule: ExportScheduleRow): Promise<boolean> {
    const { db, store, audit } = this.deps;
    const did = schedule.communityDid;
    const at = this.deps.clock();
    const atIso = new Date(at).toISOString();
    try {
      const known = new Set((await db.orm.select({ k: exportSnapshots.storageKey }).from(exportSnapshots).where(eq(exportSnapshots.communityDid, did)).all()).map((r) => r.k));
      await store.sweep(did, known);
      const car = await this.deps.repo.getRepoCar(did);
      if (!car) throw new SnapshotWriteError("the community has no repo on this server");
      const written = await store.write(did, car, at);
      const outcome = await db.transaction(async (tx) => {
        // Why re-read: deleteExportSchedule may have run while the file was written; then the file is dropped.
        const current = await tx.orm.select().from(exportSchedules).where(eq(exportSchedules.id, schedule.id)).get();
        if (!current) return { kept: false, expired: [] as string[] };
        await tx.orm.insert(exportSnapshots).values({ id: randomUUID(), communityDid: did, ...written, createdAt: atIso }).run();
        await tx.orm.update(exportSchedules).set({
          lastExportAt: atIso, lastAttemptAt: atIso, lastStatus: "success", lastError: null,
          nextRunAt: new Date(at + INTERVAL_MS[current.interval]).toISOString(), updatedAt: atIso,
        }).where(eq(exportSchedules.id, schedule.id)).run();
        await audit.writeInTx(tx, { action: "admin.export.snapshot.success", actorType: "system", targetDid: did, targetId: schedule.id, meta: { storageKey: written.storageKey, sizeBytes: written.sizeBytes } });
        // retention: only the newest retentionCount rows stay; their files go after the commit
        const expired = await tx.orm.select({ id: exportSnapshots.id, k: exportSnapshots.storageKey }).from(exportSnapshots)
          .where(eq(exportSnapshots.communityDid, did)).orderBy(desc(exportSnapshots.createdAt), desc(exportSnapshots.id))
          .limit(1_000_000).offset(current.retentionCount).all();
        for (const e of expired) await tx.orm.delete(exportSnapshots).where(eq(exportSnapshots.id, e.id)).run();
        return { kept: true, expired: expired.map((e) => e.k) };
      });
      await store.remove(outcome.kept ? outcome.expired : [written.storageKey]);
      if (outcome.kept) this.deps.logger.info("export snapshot written", { did, storageKey: written.storageKey, sizeBytes: written.sizeBytes });
      return outcome.kept;
    } catch (err) {
      const error = err instanceof SnapshotWriteError ? err.message : "internal error while writing the snapshot";
      if (!(err instanceof SnapshotWriteError)) this.deps.logger.error("export snapshot failed", { did, err: err instanceof Error ? err.message : String(err) });
      else this.deps.logger.warn("export snapshot failed", { did, error });
      await db.transaction(async (tx) => {
        // retried at the next check: next_run_at stays due
        const changed = await tx.orm.update(exportSchedules).set({ lastAttemptAt: atIso, lastStatus: "failed", lastError: error, nextRunAt: atIso, updatedAt: atIso })
          .where(eq(exportSchedules.id, schedule.id)).returning({ id: exportSchedules.id }).all();
        if (changed.length) await audit.writeInTx(tx, { action: "admin.export.snapshot.failed", actorType: "system", targetDid: did, targetId: schedule.id, meta: { error } });
      });
      return false;
    }
  }
}
