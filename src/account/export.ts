// account.export (spec 06 §4, 01 §9.3): the holder's (any session) or staff's complete copy of an account, JSON or CAR.
import type { Database, Tx } from "../db/database.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { RepoService } from "../repo/service.ts";
import type { HolderExports, RepoHolderRule } from "../repo/holder-exports.ts";
import { recordsByCollection } from "../repo/export-records.ts";
import { referencedBlobCids } from "../blob/refs.ts";
import { forbidden, notFound } from "../errors.ts";
import type { Clock } from "../util/clock.ts";
import type { AccountService } from "./account-service.ts";
import type { AccountRow } from "./views.ts";
import { recordHolderExportInTx } from "./export-rule.ts";

export type AccountExportFormat = "json" | "car";

/** The caller as authentication established it (an account session; status and roles from the database). */
export type ExportCaller = { did: string; scope: string; status: string; roles: readonly string[]; /** a full password session (not an app password): personalDetailsPref is exported only then */ full?: boolean };

/** One community membership as the export lists it (from the community domain, plugged in at the root). */
export type ExportedMembership = { communityDid: string; handle: string; role: string; joinedAt: string };

export interface AccountExportDeps {
  db: Database;
  accounts: Pick<AccountService, "getRow" | "handleOf">;
  repo: Pick<RepoService, "head" | "collections" | "listRecords" | "getRepoCar" | "recordCount">;
  audit: Pick<AuditLog, "writeInTx">;
  holderExports: Pick<HolderExports, "recordInTx" | "recordOnComplete">;
  memberships: (did: string) => Promise<ExportedMembership[]>;
  /** the stored app.bsky preferences in stored order (10 §3), full-only types only when `full` */
  preferences?: (did: string, full: boolean) => Promise<unknown[]>;
  now: Clock;
}

const STAFF = ["admin", "moderator"];

/** The account's own export (06 §2 rule for accounts): the caller is the account itself. */
export const accountHolderExport: RepoHolderRule = async (tx, did, callerDid, rev, at) => {
  if (did !== callerDid) return false;
  await recordHolderExportInTx(tx, did, rev, at);
  return true;
};

/**
 * Self (any session the status gate let through: normal, deactivated, restricted) or staff with a full session of
 * an approved account. Checked before the lookup, so a non-staff caller learns nothing about other DIDs (403, not
 * 404). `creating` and `rejected` accounts hold nothing to export → 404.
 */
async function authorize(deps: AccountExportDeps, did: string, caller: ExportCaller): Promise<{ row: AccountRow; bySelf: boolean }> {
  const bySelf = caller.did === did;
  const staff = caller.status === "approved" && caller.scope === "com.atproto.access" && caller.roles.some((r) => STAFF.includes(r));
  if (!bySelf && !staff) throw forbidden("You may only export your own account");
  const row = await deps.accounts.getRow(did);
  if (!row || row.status === "creating" || row.status === "rejected") throw notFound("Account not found");
  return { row, bySelf };
}

/** The 06 §4 document. `email` and `preferences` only for the holder; no secrets (app passwords, tokens). */
async function exportJson(deps: AccountExportDeps, row: AccountRow, bySelf: boolean, exportedBy: string, exportedAt: string, full: boolean) {
  const { collections, totalRecords } = await recordsByCollection(deps.repo, row.did);
  const memberships = await deps.memberships(row.did);
  return {
    $type: "net.openfederation.account.export",
    exportedAt,
    exportedBy,
    account: {
      did: row.did, handle: deps.accounts.handleOf(row), ...(bySelf ? { email: row.email } : {}), status: row.status, createdAt: row.createdAt,
    },
    stats: { totalRecords, collections: Object.keys(collections).length, communityMemberships: memberships.length },
    memberships,
    ...(bySelf && deps.preferences ? { preferences: await deps.preferences(row.did, full) } : {}),
    collections,
    blobs: await referencedBlobCids(deps.db.raw, row.did),
  };
}

export type AccountExport = { format: "car"; car: ReadableStream<Uint8Array> } | { format: "json"; json: Awaited<ReturnType<typeof exportJson>> };

export class AccountExportService {
  constructor(private readonly deps: AccountExportDeps) {}

  /**
   * Audit `account.export {format, recordCount, bySelf}`. A holder export (06 §2) is recorded at the head rev read
   * before the export's reads: JSON in the audit's transaction, CAR once its last byte has been streamed.
   */
  async export(did: string, caller: ExportCaller, format: AccountExportFormat): Promise<AccountExport> {
    const { deps } = this;
    const { row, bySelf } = await authorize(deps, did, caller);
    const rev = (await deps.repo.head(row.did))?.rev;
    const at = new Date(deps.now()).toISOString();
    const audit = (tx: Tx, recordCount: number) =>
      deps.audit.writeInTx(tx, { action: "account.export", actorType: "account", actorDid: caller.did, targetDid: row.did, meta: { format, recordCount, bySelf } });
    if (format === "car") {
      const car = rev === undefined ? null : await deps.repo.getRepoCar(row.did);
      if (!car || rev === undefined) throw notFound("This account has no repository");
      try {
        const recordCount = await deps.repo.recordCount(row.did);
        await deps.db.transaction((tx) => audit(tx, recordCount));
      } catch (err) {
        await car.cancel(); // ends the CAR's read snapshot
        throw err;
      }
      return { format, car: bySelf ? deps.holderExports.recordOnComplete(car, row.did, caller.did, rev) : car };
    }
    const json = await exportJson(deps, row, bySelf, caller.did, at, caller.full ?? false);
    await deps.db.transaction(async (tx) => {
      if (bySelf && rev !== undefined) await deps.holderExports.recordInTx(tx, row.did, caller.did, rev, at);
      await audit(tx, json.stats.totalRecords);
    });
    return { format, json };
  }
}
