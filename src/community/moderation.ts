// Staff moderation of communities (spec 04 §6, 06 §2): suspend, unsuspend, takedown, untakedown.
import { eq } from "drizzle-orm";
import type { Database, Tx } from "../db/database.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { Sequencer } from "../sequencer/index.ts";
import { headCommitInTx } from "../repo/lifecycle.ts";
import { DomainError, invalidRequest } from "../errors.ts";
import { communities, type CommunityRow, type CommunityStatus } from "./schema.ts";
import { resolveCommunity, type GateCtx } from "./gate.ts";
import { communityNotFound } from "./errors.ts";
import type { CommunityService } from "./service.ts";

/** What moderation uses: the gate's lookups, the export rule and handles, audit, the firehose events. */
export interface ModerationDeps extends GateCtx {
  db: Database;
  communities: Pick<CommunityService, "exportRuleSatisfied" | "handleOf">;
  audit: Pick<AuditLog, "writeInTx">;
  sequencer: Pick<Sequencer, "accountInTx" | "identityInTx" | "syncInTx">;
  /** the server clock: suspendedAt starts the export grace period that exportRuleSatisfied measures on the same clock */
  now: () => number;
}

export const alreadySuspended = () => new DomainError("invalid", "AlreadySuspended", "This community is already suspended");
export const alreadyTakenDown = () => new DomainError("invalid", "AlreadyTakenDown", "This community is already taken down");
export const notSuspended = () => new DomainError("invalid", "NotSuspended", "This community is not suspended");
export const notTakenDown = () => new DomainError("invalid", "NotTakenDown", "This community is not taken down");
export const exportRequired = () =>
  new DomainError("conflict", "ExportRequired",
    "The owner has not exported the community since its latest commit. Ask the owner to export it (community.export), " +
    "or suspend it and take it down once the export grace period has passed.");

const MAX_REASON = 1000;

function checkReason(reason: string | undefined): string | undefined {
  if (reason === undefined || reason === "") return undefined;
  if ([...reason].length > MAX_REASON) throw invalidRequest(`reason must be at most ${MAX_REASON} characters`);
  return reason;
}

/** Reads the row again inside the transaction: the status may have changed since the first check. */
async function rowInTx(tx: Tx, did: string): Promise<CommunityRow> {
  const row = await tx.orm.select().from(communities).where(eq(communities.did, did)).get();
  if (!row || row.status === "creating" || row.status === "importing") throw communityNotFound();
  return row;
}

function assertSuspendable(row: CommunityRow): void {
  if (row.status === "suspended") throw alreadySuspended();
  if (row.status === "takendown") throw alreadyTakenDown();
  if (row.status !== "active") throw invalidRequest(`A ${row.status} community cannot be suspended`);
}

function assertTakeDownable(row: CommunityRow): void {
  if (row.status === "takendown") throw alreadyTakenDown();
  if (row.status !== "active" && row.status !== "suspended") throw invalidRequest(`A ${row.status} community cannot be taken down`);
}

/** Wire-visible on the firehose at all: private communities and unverified did:web never are (03 §7). */
const announced = (row: CommunityRow) => row.visibility === "public" && row.identityVerified;

async function suspendCommunity(deps: ModerationDeps, identifier: string, adminDid: string, reasonIn?: string) {
  const reason = checkReason(reasonIn);
  const c = await resolveCommunity(deps, identifier);
  assertSuspendable(c);
  const at = new Date(deps.now()).toISOString();
  await deps.db.transaction(async (tx) => {
    const row = await rowInTx(tx, c.did);
    assertSuspendable(row);
    // no wire status change (a suspended community is still served): no event
    await tx.orm.update(communities).set({
      status: "suspended", previousStatus: row.status, statusReason: reason ?? null, statusChangedAt: at, statusChangedBy: adminDid, suspendedAt: at,
    }).where(eq(communities.did, c.did)).run();
    await deps.audit.writeInTx(tx, { action: "community.suspend", actorType: "account", actorDid: adminDid, targetDid: c.did, meta: { reason: reason ?? null } });
  }, { lockKey: c.did });
  return { did: c.did, status: "suspended" as const, ...(reason ? { reason } : {}) };
}

async function unsuspendCommunity(deps: ModerationDeps, identifier: string, adminDid: string) {
  const c = await resolveCommunity(deps, identifier);
  if (c.status !== "suspended") throw notSuspended();
  const at = new Date(deps.now()).toISOString();
  await deps.db.transaction(async (tx) => {
    const row = await rowInTx(tx, c.did);
    if (row.status !== "suspended") throw notSuspended();
    await tx.orm.update(communities).set({
      status: "active", previousStatus: null, statusReason: null, statusChangedAt: at, statusChangedBy: adminDid, suspendedAt: null,
    }).where(eq(communities.did, c.did)).run();
    await deps.audit.writeInTx(tx, { action: "community.unsuspend", actorType: "account", actorDid: adminDid, targetDid: c.did });
  }, { lockKey: c.did });
  return { did: c.did, status: "active" as const };
}

async function takedownCommunity(deps: ModerationDeps, identifier: string, adminDid: string, reasonIn?: string) {
  const reason = checkReason(reasonIn);
  const communitiesSvc = deps.communities;
  const c = await resolveCommunity(deps, identifier);
  assertTakeDownable(c);
  if (!(await communitiesSvc.exportRuleSatisfied(c))) throw exportRequired();
  const at = new Date(deps.now()).toISOString();
  await deps.db.transaction(async (tx) => {
    const row = await rowInTx(tx, c.did);
    assertTakeDownable(row);
    // a commit may have landed since the first check: the owner's export must still cover it
    if (!(await communitiesSvc.exportRuleSatisfied(row))) throw exportRequired();
    await tx.orm.update(communities).set({
      status: "takendown", previousStatus: row.status, statusReason: reason ?? null, statusChangedAt: at, statusChangedBy: adminDid,
      // a suspension continues through the takedown (06 §2): suspendedAt stays as it is
      pendingTransferId: null, pendingTransferExpiresAt: null,
    }).where(eq(communities.did, c.did)).run();
    if (announced(row)) await deps.sequencer.accountInTx(tx, c.did, false, "takendown");
    await deps.audit.writeInTx(tx, {
      action: "community.takedown", actorType: "account", actorDid: adminDid, targetDid: c.did,
      meta: { reason: reason ?? null, previousStatus: row.status, ownerExportedAt: row.ownerExportedAt ?? null, ...(row.pendingTransferId ? { cancelledTransfer: row.pendingTransferId } : {}) },
    });
  }, { lockKey: c.did });
  return { did: c.did, status: "takendown" as const, ...(reason ? { reason } : {}) };
}

async function untakedownCommunity(deps: ModerationDeps, identifier: string, adminDid: string) {
  const c = await resolveCommunity(deps, identifier);
  if (c.status !== "takendown") throw notTakenDown();
  const at = new Date(deps.now()).toISOString();
  const status = await deps.db.transaction(async (tx) => {
    const row = await rowInTx(tx, c.did);
    if (row.status !== "takendown") throw notTakenDown();
    const restored: CommunityStatus = row.previousStatus === "suspended" ? "suspended" : "active";
    await tx.orm.update(communities).set({
      status: restored, previousStatus: null, statusReason: null, statusChangedAt: at, statusChangedBy: adminDid,
      ...(restored === "active" ? { suspendedAt: null } : {}),
    }).where(eq(communities.did, c.did)).run();
    // suspended is wire-active too (03 §9): both restore the repo for relays
    if (announced(row)) await reannounceInTx(deps, tx, c.did, deps.communities.handleOf(row));
    await deps.audit.writeInTx(tx, { action: "community.untakedown", actorType: "account", actorDid: adminDid, targetDid: c.did, meta: { restoredStatus: restored } });
    return restored;
  }, { lockKey: c.did });
  return { did: c.did, status };
}

/** Staff moderation of communities (04 §6): one method per XRPC method, `adminDid` is the acting staff account. */
export class CommunityModerationService {
  constructor(private readonly deps: ModerationDeps) {}

  suspend(identifier: string, adminDid: string, reason?: string) {
    return suspendCommunity(this.deps, identifier, adminDid, reason);
  }
  unsuspend(identifier: string, adminDid: string) {
    return unsuspendCommunity(this.deps, identifier, adminDid);
  }
  takedown(identifier: string, adminDid: string, reason?: string) {
    return takedownCommunity(this.deps, identifier, adminDid, reason);
  }
  untakedown(identifier: string, adminDid: string) {
    return untakedownCommunity(this.deps, identifier, adminDid);
  }
}

/** 04 §6 untakedown: `#account{active:true}`, `#identity`, `#sync` of the current head, in that order. */
async function reannounceInTx(deps: ModerationDeps, tx: Tx, did: string, handle: string): Promise<void> {
  const head = await headCommitInTx(tx, did);
  const seq = deps.sequencer;
  await seq.accountInTx(tx, did, true);
  await seq.identityInTx(tx, did, handle);
  if (head) await seq.syncInTx(tx, did, head);
}
