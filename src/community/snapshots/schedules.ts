// Export schedules and snapshots for staff (06 §10): upsert, list, delete schedules; list and download snapshots.
import { randomUUID } from "node:crypto";
import { and, asc, desc, eq, gt, inArray, lt, or } from "drizzle-orm";
import type { Database } from "../../db/database.ts";
import type { AuditLog } from "../../audit/audit-log.ts";
import type { RepoService } from "../../repo/service.ts";
import type { HolderExports } from "../../repo/holder-exports.ts";
import { decodeCursor, encodeCursor } from "../../account/cursor.ts";
import { forbidden, invalidRequest, notFound } from "../../errors.ts";
import { communities } from "../schema.ts";
import { findCommunity, type GateCtx } from "../gate.ts";
import { communityNotFound } from "../errors.ts";
import { exportSchedules, exportSnapshots, INTERVAL_MS, type ExportInterval, type ExportScheduleRow, type ExportSnapshotRow } from "./schema.ts";
import type { SnapshotStore } from "./store.ts";

type Caller = { did: string; roles: readonly string[] };

export interface SchedulesDeps extends GateCtx {
  db: Database;
  store: SnapshotStore;
  repo: Pick<RepoService, "head">;
  audit: Pick<AuditLog, "writeInTx">;
  /** records the owner's complete download as a holder export (06 §2), once the last byte is handed over */
  holderExports: Pick<HolderExports, "recordOnComplete">;
  clock: () => number;
}

export interface ScheduleView {
  id: string;
  communityDid: string;
  communityHandle: string;
  interval: ExportInterval;
  retentionCount: number;
  enabled: boolean;
  lastExportAt?: string;
  lastStatus?: "success" | "failed";
  lastError?: string;
  nextRunAt: string;
}

export interface SnapshotView {
  id: string;
  communityDid: string;
  storageKey: string;
  sizeBytes: number;
  rootCid: string;
  rev: string;
  sha256: string;
  createdAt: string;
}

const snapshotView = ({ id, communityDid, storageKey, sizeBytes, rootCid, rev, sha256, createdAt }: ExportSnapshotRow): SnapshotView =>
  ({ id, communityDid, storageKey, sizeBytes, rootCid, rev, sha256, createdAt });

export class ExportScheduleService {
  constructor(private readonly deps: SchedulesDeps) {}

  private view(r: ExportScheduleRow, handle: string): ScheduleView {
    return {
      id: r.id, communityDid: r.communityDid, communityHandle: handle, interval: r.interval, retentionCount: r.retentionCount, enabled: r.enabled,
      ...(r.lastExportAt ? { lastExportAt: r.lastExportAt } : {}),
      ...(r.lastStatus ? { lastStatus: r.lastStatus } : {}),
      ...(r.lastError ? { lastError: r.lastError } : {}),
      nextRunAt: r.nextRunAt,
    };
  }

  /** The DID a schedule or snapshot call names: a hosted community (DID or handle), else a DID as given (a deleted community's rows). */
  private async didOf(identifier: string): Promise<string | undefined> {
    const c = await findCommunity(this.deps, identifier);
    if (c) return c.did;
    return identifier.startsWith("did:") ? identifier : undefined;
  }

  /**
   * Upsert per community: a second call keeps the schedule's id, creation time and history and changes only
   * interval, retention and enabled. nextRunAt: last success + interval, or now when it never succeeded.
   */
  async create(actorDid: string, input: { communityDid: string; interval: string; retentionCount?: number; enabled?: boolean }): Promise<Omit<ScheduleView, "communityHandle" | "lastExportAt" | "lastStatus" | "lastError">> {
    if (!(input.interval in INTERVAL_MS)) throw invalidRequest("interval must be daily, weekly or monthly");
    const interval = input.interval as ExportInterval;
    const retentionCount = input.retentionCount ?? 5;
    if (!Number.isInteger(retentionCount) || retentionCount < 1 || retentionCount > 100) throw invalidRequest("retentionCount must be 1 to 100");
    const enabled = input.enabled ?? true;
    const community = await findCommunity(this.deps, input.communityDid);
    if (!community) throw communityNotFound();
    const nowIso = new Date(this.deps.clock()).toISOString();
    return this.deps.db.transaction(async (tx) => {
      // Why inside the transaction: two concurrent creates for one community serialise here, so the second
      // sees the first's row and updates it (the unique index would refuse a second insert anyway).
      const existing = await tx.orm.select().from(exportSchedules).where(eq(exportSchedules.communityDid, community.did)).get();
      const nextRunAt = existing?.lastExportAt ? new Date(Date.parse(existing.lastExportAt) + INTERVAL_MS[interval]).toISOString() : nowIso;
      const id = existing?.id ?? randomUUID();
      if (existing) {
        await tx.orm.update(exportSchedules).set({ interval, retentionCount, enabled, nextRunAt: existing.lastStatus === "failed" ? nowIso : nextRunAt, updatedAt: nowIso }).where(eq(exportSchedules.id, id)).run();
      } else {
        await tx.orm.insert(exportSchedules).values({ id, communityDid: community.did, interval, retentionCount, enabled, nextRunAt, createdAt: nowIso, createdBy: actorDid, updatedAt: nowIso }).run();
      }
      await this.deps.audit.writeInTx(tx, { action: "admin.export.schedule.create", actorType: "account", actorDid, targetDid: community.did, targetId: id, meta: { interval, retentionCount, enabled, updated: !!existing } });
      const row = (await tx.orm.select().from(exportSchedules).where(eq(exportSchedules.id, id)).get())!;
      return { id, communityDid: community.did, interval, retentionCount, enabled, nextRunAt: row.nextRunAt };
    });
  }

  /** Oldest first (creation time, id), keyset cursor. */
  async list(opts: { limit: number; cursor?: string }): Promise<{ schedules: ScheduleView[]; cursor?: string }> {
    const c = opts.cursor !== undefined ? decodeCursor(opts.cursor) : undefined;
    const after = c ? or(gt(exportSchedules.createdAt, c.t), and(eq(exportSchedules.createdAt, c.t), gt(exportSchedules.id, c.k))) : undefined;
    const rows = await this.deps.db.orm.select().from(exportSchedules).where(after).orderBy(asc(exportSchedules.createdAt), asc(exportSchedules.id)).limit(opts.limit + 1).all();
    const page = rows.slice(0, opts.limit);
    const names = new Map(page.length === 0 ? [] : (await this.deps.db.orm.select({ did: communities.did, name: communities.name }).from(communities)
      .where(inArray(communities.did, page.map((r) => r.communityDid))).all()).map((r) => [r.did, `${r.name}.${this.deps.config.handleDomain}`]));
    const last = page[page.length - 1];
    return {
      schedules: page.map((r) => this.view(r, names.get(r.communityDid) ?? "handle.invalid")),
      ...(rows.length > opts.limit && last ? { cursor: encodeCursor(last.createdAt, last.id) } : {}),
    };
  }

  /** Deletes the schedule; with deleteSnapshots also every snapshot row of the community, then their files. */
  async delete(actorDid: string, identifier: string, deleteSnapshots: boolean): Promise<void> {
    const did = await this.didOf(identifier);
    const removed = await this.deps.db.transaction(async (tx) => {
      const row = did === undefined ? undefined : await tx.orm.select().from(exportSchedules).where(eq(exportSchedules.communityDid, did)).get();
      if (!row || did === undefined) throw notFound("No export schedule for this community");
      await tx.orm.delete(exportSchedules).where(eq(exportSchedules.id, row.id)).run();
      const keys = deleteSnapshots
        ? (await tx.orm.delete(exportSnapshots).where(eq(exportSnapshots.communityDid, did)).returning({ k: exportSnapshots.storageKey }).all()).map((r) => r.k)
        : [];
      await this.deps.audit.writeInTx(tx, { action: "admin.export.schedule.delete", actorType: "account", actorDid, targetDid: did, targetId: row.id, meta: { deleteSnapshots, snapshotsDeleted: keys.length } });
      return { did, keys };
    });
    // files after the commit: a crash in between leaves files no row names, which the next sweep removes
    if (deleteSnapshots) await this.deps.store.remove(removed.keys, removed.did);
  }

  /** Newest first. 404 when neither a hosted community nor any snapshot row has this DID. */
  async listSnapshots(identifier: string, opts: { limit: number; cursor?: string }): Promise<{ snapshots: SnapshotView[]; cursor?: string }> {
    const did = await this.didOf(identifier);
    const orm = this.deps.db.orm;
    const hosted = (await findCommunity(this.deps, identifier)) !== undefined;
    if (did === undefined || (!hosted && !(await orm.select({ id: exportSnapshots.id }).from(exportSnapshots).where(eq(exportSnapshots.communityDid, did)).get()))) throw communityNotFound();
    const c = opts.cursor !== undefined ? decodeCursor(opts.cursor) : undefined;
    const after = c ? or(lt(exportSnapshots.createdAt, c.t), and(eq(exportSnapshots.createdAt, c.t), lt(exportSnapshots.id, c.k))) : undefined;
    const rows = await orm.select().from(exportSnapshots).where(and(eq(exportSnapshots.communityDid, did), after))
      .orderBy(desc(exportSnapshots.createdAt), desc(exportSnapshots.id)).limit(opts.limit + 1).all();
    const page = rows.slice(0, opts.limit);
    const last = page[page.length - 1];
    return { snapshots: page.map(snapshotView), ...(rows.length > opts.limit && last ? { cursor: encodeCursor(last.createdAt, last.id) } : {}) };
  }

  /**
   * The snapshot's CAR for an admin or the community's owner (403 otherwise; 404 unknown id or file gone). The
   * owner's complete download of a snapshot whose rev is the current head counts as an owner export (06 §2,
   * recorded by holderExports when the last byte is handed over); an admin's never does. Audit `community.export`.
   */
  async get(caller: Caller, id: string): Promise<{ snapshot: SnapshotView; car: ReadableStream<Uint8Array> }> {
    const orm = this.deps.db.orm;
    const row = await orm.select().from(exportSnapshots).where(eq(exportSnapshots.id, id)).get();
    if (!row) throw notFound("No export snapshot with this id");
    const community = await orm.select().from(communities).where(eq(communities.did, row.communityDid)).get();
    const byOwner = community?.ownerDid === caller.did;
    if (!byOwner && !caller.roles.includes("admin")) throw forbidden("Only an admin or the community's owner can download a snapshot");
    const car = await this.deps.store.read(row.storageKey);
    if (!car) throw notFound("The snapshot file is gone (deleted by retention)");
    // a commit after this read leaves the recorded rev behind the head, so the download then no longer counts
    const current = (await this.deps.repo.head(row.communityDid))?.rev === row.rev;
    try {
      await this.deps.db.transaction(async (tx) => {
        await this.deps.audit.writeInTx(tx, { action: "community.export", actorType: "account", actorDid: caller.did, targetDid: row.communityDid, targetId: row.id, meta: { format: "car", snapshot: row.storageKey, byOwner, current } });
      });
    } catch (err) {
      await car.cancel(); // closes the file handle
      throw err;
    }
    const body = byOwner && current ? this.deps.holderExports.recordOnComplete(car, row.communityDid, caller.did, row.rev) : car;
    return { snapshot: snapshotView(row), car: body };
  }
}
