// The PLC tombstone outbox (02 §4): deletions queue a tombstone in their own transaction; a job submits it with
// retries and exponential backoff, after re-checking that the DID document still names this server.
import { and, asc, eq, lte } from "drizzle-orm";
import type { Database, Tx } from "../db/database.ts";
import type { Logger } from "../util/logger.ts";
import type { Clock } from "../util/clock.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { Job, JobScheduler } from "../jobs/scheduler.ts";
import type { KeyVault } from "./keys.ts";
import { PlcRejectedError, sanitise, type PlcClient } from "./plc-client.ts";
import type { IdentityService } from "./service.ts";
import { identityKeys } from "./schema.ts";
import { pdsEndpointOf } from "./service-auth.ts";
import { plcTombstoneOutbox } from "./tombstone-outbox-schema.ts";

export const TOMBSTONE_JOB = "plc-tombstone-outbox";
export type TombstoneSubject = "account" | "rejected" | "community";
/** first retry after a minute, doubling up to an hour (02 §4) */
export const TOMBSTONE_RETRY_BASE_MS = 60_000;
export const TOMBSTONE_RETRY_MAX_MS = 3_600_000;
const BATCH = 50;

export interface TombstoneOutboxDeps {
  serviceUrl: string;
  db: Database;
  keys: Pick<KeyVault, "decryptKeypair">;
  plc: Pick<PlcClient, "getDocument" | "getDocumentData">;
  identity: Pick<IdentityService, "tombstoneWith">;
  audit: Pick<AuditLog, "writeInTx">;
  /** the scheduler the outbox job is registered with: a queued row asks it for a run right after commit */
  jobs: Pick<JobScheduler, "runNow">;
  logger: Logger;
  now: Clock;
}

type Row = typeof plcTombstoneOutbox.$inferSelect;

export class TombstoneOutbox {
  /** set when a row is queued: a pass already under way (which may have read the table before it) runs again */
  private dirty = false;

  constructor(private readonly deps: TombstoneOutboxDeps) {}

  /**
   * Before a deletion: should its tombstone be queued? Only while the DID document still names this server
   * (`#atproto_pds` = PDS_SERVICE_URL; 06 §1, 10 §5.3). A document naming another server, or none (unknown or
   * already tombstoned), → false. An unreachable directory → true: the worker checks the document again before
   * it submits anything, so queueing costs nothing when the DID turns out to live elsewhere.
   */
  async shouldQueue(did: string): Promise<boolean> {
    try {
      const doc = await this.deps.plc.getDocument(did, { fresh: true });
      return !!doc && pdsEndpointOf(doc) === this.deps.serviceUrl;
    } catch {
      return true;
    }
  }

  /**
   * In the deletion's transaction, BEFORE the DID's keys are deleted: moves the recovery key's ciphertext into an
   * outbox row (the caller then deletes identity_keys as usual). False when no recovery key is held (nothing to sign).
   */
  async queueInTx(tx: Tx, did: string, subject: TombstoneSubject): Promise<boolean> {
    const key = await tx.orm.select({ ciphertext: identityKeys.ciphertext }).from(identityKeys)
      .where(and(eq(identityKeys.did, did), eq(identityKeys.purpose, "identity.recovery-key"))).get();
    if (!key) {
      this.deps.logger.warn("no recovery key held: the DID cannot be tombstoned", { did, subject });
      return false;
    }
    const now = this.deps.now();
    await tx.orm.insert(plcTombstoneOutbox).values({
      did, subject, recoveryKey: Buffer.from(key.ciphertext), createdAt: new Date(now).toISOString(), attempts: 0, nextAttemptAt: now, lastError: null,
    }).onConflictDoNothing().run();
    tx.afterCommit(() => this.kick());
    return true;
  }

  /** The job (every minute, and at start: rows a crash or a down directory left behind). */
  job(): Job {
    return { name: TOMBSTONE_JOB, intervalMs: 60_000, runAtStart: true, run: () => this.drain() };
  }

  /** Pending rows (doctor, tests). */
  async pending(): Promise<Array<Omit<Row, "recoveryKey">>> {
    const rows = await this.deps.db.orm.select().from(plcTombstoneOutbox).orderBy(asc(plcTombstoneOutbox.nextAttemptAt)).all();
    return rows.map(({ recoveryKey: _key, ...rest }) => rest);
  }

  private kick(): void {
    this.dirty = true;
    // through the scheduler, so this run and the timer's never overlap (a run under way sees `dirty` and loops)
    void this.deps.jobs.runNow(TOMBSTONE_JOB).catch(() => {});
  }

  /** Attempts every row whose time has come; loops while rows were queued meanwhile. */
  async drain(): Promise<void> {
    do {
      this.dirty = false;
      const due = await this.deps.db.orm.select().from(plcTombstoneOutbox).where(lte(plcTombstoneOutbox.nextAttemptAt, this.deps.now()))
        .orderBy(asc(plcTombstoneOutbox.nextAttemptAt)).limit(BATCH).all();
      for (const row of due) await this.attempt(row);
    } while (this.dirty);
  }

  private async attempt(row: Row): Promise<void> {
    const { plc, identity, keys, serviceUrl, logger } = this.deps;
    let outcome: string;
    try {
      const doc = await plc.getDocument(row.did, { fresh: true });
      if (!doc) outcome = "not-found"; // already tombstoned (410) or unknown: nothing to submit
      else if (pdsEndpointOf(doc) !== serviceUrl) outcome = "names-another-server"; // migrated away: it keeps its DID
      else {
        const recovery = await keys.decryptKeypair("identity.recovery-key", row.did, row.recoveryKey);
        // the holder's own operation may have removed our key: PLC would refuse the tombstone on every retry, forever
        const data = await plc.getDocumentData(row.did);
        if (data && !data.rotationKeys.includes(recovery.did())) outcome = "not-a-rotation-key";
        else outcome = await identity.tombstoneWith(row.did, async () => recovery);
      }
    } catch (err) {
      await this.failed(row, err);
      return;
    }
    // the row, and with it the last copy of the recovery key, goes once nothing is left to submit
    await this.deps.db.transaction(async (tx) => {
      await tx.orm.delete(plcTombstoneOutbox).where(eq(plcTombstoneOutbox.did, row.did)).run();
      if (outcome === "not-a-rotation-key") {
        await this.deps.audit.writeInTx(tx, { action: "plc.submitFailed", actorType: "system", targetDid: row.did, meta: { operation: "plc_tombstone", subject: row.subject, attempts: row.attempts + 1, error: "This server's recovery key is no longer in rotationKeys; the tombstone was dropped", dropped: true } });
      }
    });
    logger.info("plc tombstone outbox entry done", { did: row.did, subject: row.subject, outcome, attempts: row.attempts + 1 });
  }

  private async failed(row: Row, err: unknown): Promise<void> {
    const error = err instanceof PlcRejectedError ? `PLC rejected the tombstone: ${sanitise(err.message)}` : sanitise(err instanceof Error ? err.message : String(err));
    const attempts = row.attempts + 1;
    const delay = Math.min(TOMBSTONE_RETRY_BASE_MS * 2 ** (attempts - 1), TOMBSTONE_RETRY_MAX_MS);
    const now = this.deps.now();
    await this.deps.db.transaction(async (tx) => {
      const updated = await tx.orm.update(plcTombstoneOutbox).set({ attempts, nextAttemptAt: now + delay, lastError: error })
        .where(eq(plcTombstoneOutbox.did, row.did)).returning({ did: plcTombstoneOutbox.did }).get();
      // audited on the first failure and whenever the reason changes, so an hourly retry does not flood the log
      if (updated && (attempts === 1 || error !== row.lastError)) {
        await this.deps.audit.writeInTx(tx, { action: "plc.submitFailed", actorType: "system", targetDid: row.did, meta: { operation: "plc_tombstone", subject: row.subject, attempts, error } });
      }
    });
    this.deps.logger.warn("plc tombstone failed; will retry", { did: row.did, subject: row.subject, attempts, retryInMs: delay, error });
  }
}
