// Proposal evaluation (spec 05 §5): tally on the current state, decide, and plan the resolving commit: the status
// change together with the applied change (approved), or `failed` with nothing else changed (stale target, invalid).
import { TID } from "@atproto/common-web";
import type { Orm, Tx } from "../db/database.ts";
import type { WriteOp } from "../repo/service.ts";
import { DomainError } from "../errors.ts";
import type { CommunityRow } from "./schema.ts";
import { COL } from "./permissions.ts";
import { recordOn } from "./roles.ts";
import { configOf, decide, tally, type Tally } from "./governance-rules.ts";
import { delegationMap, eligibleVoters, remoteAmong, voterCandidates, type RemoteLiveness } from "./voters.ts";
import { planTarget } from "./proposal-target.ts";
import { openProposalRkeys } from "./proposal-store.ts";
import { isoAt, type GovernanceDeps } from "./governance-deps.ts";
import type { ProposalStatus } from "./governance-schema.ts";

export interface ProposalRecord {
  $type?: string;
  targetCollection: string;
  targetRkey: string;
  action: "write" | "delete";
  proposedRecord?: Record<string, unknown>;
  targetCid: string | null;
  proposedBy: string;
  reason?: string;
  status: ProposalStatus;
  votesFor: string[];
  votesAgainst: string[];
  createdAt: string;
  expiresAt: string;
  resolvedAt?: string;
  appliedRev?: string;
  failureReason?: string;
  amendments?: Array<{ amendedBy: string; previousRecord?: Record<string, unknown>; amendedAt: string; reason?: string }>;
}

export interface AuditRow {
  action: string;
  meta: Record<string, unknown>;
}

/** One evaluation's outcome: the proposal's next record, the other ops of its commit, audit rows (actor decided by the caller). */
export interface Evaluation {
  record: ProposalRecord;
  status: ProposalStatus;
  tally: Tally;
  /** ops besides the proposal's own write (the applied change, other proposals failed by a model change) */
  ops: WriteOp[];
  /** system-resolution audit rows (approve/reject/expire/fail and the applied change's own rows) */
  audits: AuditRow[];
  rev?: string;
  inTx?: (tx: Tx) => Promise<void>;
  applied: boolean;
}

/** Liveness of the remote voter candidates, fetched before planning (DID documents, cached by the PLC client). */
export async function remoteLiveness(deps: GovernanceDeps, orm: Orm, c: CommunityRow): Promise<RemoteLiveness> {
  const cfg = configOf((await recordOn(orm, c.did, COL.settings, "self"))?.value);
  const remote = await remoteAmong(orm, await voterCandidates(orm, c, cfg));
  return new Map(await Promise.all(remote.map(async (d) => [d, (await deps.remote.actor(d)).active] as const)));
}

/** The voters E and the tally of `rec` on `orm`. */
export async function currentTally(orm: Orm, c: CommunityRow, rec: Pick<ProposalRecord, "votesFor" | "votesAgainst">, live: RemoteLiveness): Promise<{ eligible: Set<string>; tally: Tally }> {
  const cfg = configOf((await recordOn(orm, c.did, COL.settings, "self"))?.value);
  const eligible = await eligibleVoters(orm, c, cfg, live);
  return { eligible, tally: tally(eligible, rec.votesFor, rec.votesAgainst, await delegationMap(orm, c.did), cfg.quorum) };
}

/**
 * Evaluates `rec` (rkey `rkey`) after a vote, an amendment, or at expiry (`nowMs` past expiresAt), on the
 * committed state at the head whose rev is `headRev`. Approval applies the change in the same commit; the
 * change is re-validated first and a changed target (CID ≠ targetCid) or a refused change fails the proposal.
 */
export async function evaluate(deps: GovernanceDeps, c: CommunityRow, rkey: string, rec: ProposalRecord, live: RemoteLiveness, headRev: string): Promise<Evaluation> {
  const orm = deps.db.orm;
  const nowMs = deps.now();
  const { tally: t } = await currentTally(orm, c, rec, live);
  const decision = decide(t, Date.parse(rec.expiresAt) <= nowMs);
  if (!decision) return { record: rec, status: "open", tally: t, ops: [], audits: [], applied: false };
  const resolvedAt = isoAt(nowMs);
  if (decision !== "approved") {
    const record: ProposalRecord = { ...rec, status: decision, resolvedAt };
    return { record, status: decision, tally: t, ops: [], audits: [{ action: `community.proposal.${decision === "rejected" ? "reject" : "expire"}`, meta: { rkey, tally: t } }], applied: false };
  }
  const fail = (failureReason: string): Evaluation => ({
    record: { ...rec, status: "failed", resolvedAt, failureReason },
    status: "failed", tally: t, ops: [], audits: [{ action: "community.proposal.fail", meta: { rkey, failureReason } }], applied: false,
  });
  const current = await recordOn(orm, c.did, rec.targetCollection, rec.targetRkey);
  if ((current?.cid ?? null) !== rec.targetCid) return fail("stale target: the target record changed after the proposal was made");
  let plan;
  try {
    plan = await planTarget(deps, orm, c, rec);
  } catch (err) {
    if (err instanceof DomainError && err.kind !== "internal") return fail(`invalid change: ${err.message}`);
    throw err;
  }
  const rev = TID.nextStr(headRev);
  const ops = [...plan.ops];
  const audits: AuditRow[] = [{ action: "community.proposal.approve", meta: { rkey, targetCollection: rec.targetCollection, targetRkey: rec.targetRkey, appliedRev: rev, tally: t } }, ...plan.audits];
  if (plan.leavesSimpleMajority) {
    for (const other of await openProposalRkeys(orm, c.did)) {
      if (other === rkey) continue;
      const o = await recordOn(orm, c.did, COL.proposal, other);
      if (!o) continue;
      const failureReason = "governance model changed";
      ops.push({ action: "update", collection: COL.proposal, rkey: other, record: { ...o.value, status: "failed", resolvedAt, failureReason }, swapRecord: o.cid });
      audits.push({ action: "community.proposal.fail", meta: { rkey: other, failureReason } });
    }
  }
  return { record: { ...rec, status: "approved", resolvedAt, appliedRev: rev }, status: "approved", tally: t, ops, audits, rev, inTx: plan.inTx, applied: true };
}
