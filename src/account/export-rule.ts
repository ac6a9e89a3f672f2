// The account side of the export rule, "free to go" (06 §2): what a holder export records, and when a
// takedown or an admin deletion may proceed.
import { eq } from "drizzle-orm";
import type { Tx } from "../db/database.ts";
import { DomainError } from "../errors.ts";
import { accounts } from "./schema.ts";

type RuleRow = { status: string; holderExportedRev: string | null; suspendedAt: string | null };

export const accountExportRequired = () =>
  new DomainError("conflict", "ExportRequired",
    "The holder has not exported this account since its latest commit. Ask the holder to export it " +
    "(net.openfederation.account.export, also open to a restricted session), or suspend the account and take it down " +
    "once the export grace period (TAKEDOWN_EXPORT_GRACE_DAYS) has passed.");

/**
 * (a) performed: a holder export at or after the repo's head rev (TIDs only grow within a repo, so a commit made in
 * the same millisecond as the export still makes it stale); or (b) delivered: continuously suspended (a takedown
 * continues the period) for at least the grace period. `pending` and `rejected` accounts never held content.
 */
export function accountExportRuleSatisfied(row: RuleRow, headRev: string | undefined, opts: { now: number; graceDays: number }): boolean {
  if (row.status === "pending" || row.status === "rejected") return true;
  if (row.holderExportedRev && (!headRev || row.holderExportedRev >= headRev)) return true;
  const graceMs = opts.graceDays * 86_400_000;
  return !!row.suspendedAt && (row.status === "suspended" || row.status === "takendown") && opts.now - Date.parse(row.suspendedAt) >= graceMs;
}

/**
 * Records a complete export taken by the holder's own session (normal or restricted): account.export in either
 * format, a full sync.getRepo, or a snapshot at the head rev. `rev` is the head the export was read at (read before
 * the bytes, so a commit racing the download makes the record stale rather than falsely current). Staff exports
 * and scheduled snapshots must never call this.
 */
export async function recordHolderExportInTx(tx: Tx, did: string, rev: string, at: string): Promise<void> {
  await tx.orm.update(accounts).set({ holderExportedAt: at, holderExportedRev: rev }).where(eq(accounts.did, did)).run();
}
