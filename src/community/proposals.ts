// Proposals (spec 05 §6): create, amend, vote, and the resolution of expired ones (lazy on every read or write that
// touches them, and the 5-minute sweep). Every change is one commit planned at the repo head (commitAtHead).
import { TID } from "@atproto/common-web";
import type { Orm, Tx } from "../db/database.ts";
import type { WriteOp } from "../repo/service.ts";
import { invalidRequest, forbidden } from "../errors.ts";
import type { CommunityRow } from "./schema.ts";
import { COL } from "./permissions.ts";
import { communityStatusGate, membershipOf, resolveCommunity } from "./gate.ts";
import { notMember } from "./errors.ts";
import { recordOn } from "./roles.ts";
import { configOf, MAX_AMENDMENTS, MAX_OPEN_PROPOSALS, modelOf, type Tally } from "./governance-rules.ts";
import { alreadyVoted, governanceNotActive, proposalClosed, proposalNotFound, tooManyProposals } from "./governance-errors.ts";
import { checkTargetShape, expandCollection, planTarget, type ProposalTarget } from "./proposal-target.ts";
import { openProposalCount, expiredOpenProposals } from "./proposal-store.ts";
import { currentTally, evaluate, remoteLiveness, type AuditRow, type Evaluation, type ProposalRecord } from "./proposal-eval.ts";
import { commitAtHead, isoAt, type GovernanceDeps } from "./governance-deps.ts";
import type { RemoteLiveness } from "./voters.ts";

const DAY_MS = 86_400_000;
const uriOf = (did: string, rkey: string) => `at://${did}/${COL.proposal}/${rkey}`;

/** 403 NotMember / Forbidden unless `did` is an eligible voter now (05 §5). */
async function assertVoter(orm: Orm, c: CommunityRow, did: string, live: RemoteLiveness): Promise<void> {
  if (!(await membershipOf(orm, c, did))) throw notMember();
  const { eligible } = await currentTally(orm, c, { votesFor: [], votesAgainst: [] }, live);
  if (!eligible.has(did)) throw forbidden("Only eligible voters may do this");
}

async function proposalOn(orm: Orm, c: CommunityRow, rkey: string): Promise<{ cid: string; record: ProposalRecord }> {
  const r = await recordOn(orm, c.did, COL.proposal, rkey);
  if (!r) throw proposalNotFound();
  return { cid: r.cid, record: r.value as unknown as ProposalRecord };
}

async function writeAudits(deps: GovernanceDeps, tx: Tx, c: CommunityRow, actor: string | undefined, own: AuditRow[], system: AuditRow[]): Promise<void> {
  for (const a of own) await deps.audit.writeInTx(tx, { action: a.action, actorType: "account", actorDid: actor, targetDid: c.did, meta: a.meta });
  // resolutions are the system's doing (05 §5), even when a member's vote triggered them
  for (const a of system) await deps.audit.writeInTx(tx, { action: a.action, actorType: "system", targetDid: c.did, meta: a.meta });
}

/** The proposal write plus the evaluation's ops; `swap`: the proposal's planned CID (null for a create). */
function opsOf(rkey: string, ev: Evaluation, swap: string | null): WriteOp[] {
  const self: WriteOp = swap === null
    ? { action: "create", collection: COL.proposal, rkey, record: { ...ev.record, $type: COL.proposal }, swapRecord: null }
    : { action: "update", collection: COL.proposal, rkey, record: { ...ev.record, $type: COL.proposal }, swapRecord: swap };
  return [self, ...ev.ops];
}

export interface CreateProposalInput extends ProposalTarget {
  reason?: string;
}

export async function createProposal(deps: GovernanceDeps, identifier: string, caller: string, input: CreateProposalInput) {
  const c0 = await resolveCommunity(deps, identifier);
  if (modelOf((await recordOn(deps.db.orm, c0.did, COL.settings, "self"))?.value) !== "simple-majority") throw governanceNotActive();
  communityStatusGate(c0, { write: true, now: deps.now() });
  const target: ProposalTarget = { ...input, targetCollection: expandCollection(input.targetCollection) };
  if (input.reason !== undefined && [...input.reason].length > 1000) throw invalidRequest("reason must be at most 1000 characters");
  const rkey = TID.nextStr();
  return commitAtHead(deps, c0.did, async (head, c) => {
    const orm = deps.db.orm;
    const settings = (await recordOn(orm, c.did, COL.settings, "self"))?.value;
    if (modelOf(settings) !== "simple-majority") throw governanceNotActive();
    const live = await remoteLiveness(deps, orm, c);
    await assertVoter(orm, c, caller, live);
    if ((await openProposalCount(orm, c.did)) >= MAX_OPEN_PROPOSALS) throw tooManyProposals(MAX_OPEN_PROPOSALS);
    checkTargetShape(target);
    await planTarget(deps, orm, c, target); // the proposed content must pass the target's validation now
    const nowMs = deps.now();
    const rec: ProposalRecord = {
      targetCollection: target.targetCollection, targetRkey: target.targetRkey, action: target.action,
      ...(target.action === "write" ? { proposedRecord: { ...(target.proposedRecord as Record<string, unknown>), $type: target.targetCollection } } : {}),
      targetCid: (await recordOn(orm, c.did, target.targetCollection, target.targetRkey))?.cid ?? null,
      proposedBy: caller, ...(input.reason ? { reason: input.reason } : {}),
      status: "open", votesFor: [caller], votesAgainst: [],
      createdAt: isoAt(nowMs), expiresAt: isoAt(nowMs + configOf(settings).proposalTtlDays * DAY_MS),
    };
    const ev = await evaluate(deps, c, rkey, rec, live, head.rev);
    return {
      ops: opsOf(rkey, ev, null),
      rev: ev.rev,
      inTx: async (tx) => {
        await ev.inTx?.(tx);
        await writeAudits(deps, tx, c, caller, [{ action: "community.proposal.create", meta: { rkey, targetCollection: rec.targetCollection, targetRkey: rec.targetRkey, action: rec.action } }], ev.audits);
      },
      result: (res) => ({ uri: uriOf(c.did, rkey), cid: cidOf(res, rkey), rkey, status: ev.status, expiresAt: ev.record.expiresAt, tally: ev.tally }),
    };
  });
}

const cidOf = (res: { results: Array<{ uri: string; cid?: string }> } | null, rkey: string) =>
  (res?.results.find((r) => r.uri.endsWith(`/${COL.proposal}/${rkey}`)) as { cid?: string } | undefined)?.cid ?? "";

/**
 * Resolves `rkey` first when it is open and past its expiry (idempotent: a resolved proposal is left alone), so every
 * path sees the outcome the clock already decided. Returns whether it did.
 */
export async function resolveIfExpired(deps: GovernanceDeps, communityDid: string, rkey: string): Promise<boolean> {
  return commitAtHead(deps, communityDid, async (head, c) => {
    const r = await recordOn(deps.db.orm, c.did, COL.proposal, rkey);
    const rec = r?.value as unknown as ProposalRecord | undefined;
    if (!r || !rec || rec.status !== "open" || Date.parse(rec.expiresAt) > deps.now()) return { ops: [], result: () => false };
    const ev = await evaluate(deps, c, rkey, rec, await remoteLiveness(deps, deps.db.orm, c), head.rev);
    return {
      ops: opsOf(rkey, ev, r.cid),
      rev: ev.rev,
      inTx: async (tx) => {
        await ev.inTx?.(tx);
        await writeAudits(deps, tx, c, undefined, [], ev.audits);
      },
      result: () => true,
    };
  });
}

/** Lazy expiry of every expired open proposal of one community (reads). Never fails the read: a frozen community keeps them. */
export async function resolveExpiredOf(deps: GovernanceDeps, communityDid: string): Promise<void> {
  for (const p of await expiredOpenProposals(deps.db.orm, isoAt(deps.now()), communityDid)) {
    await resolveIfExpired(deps, communityDid, p.rkey).catch(() => false);
  }
}

/** The 5-minute sweep: every expired open proposal on this server. Returns how many it resolved. */
export async function sweepExpired(deps: GovernanceDeps): Promise<number> {
  let n = 0;
  for (const p of await expiredOpenProposals(deps.db.orm, isoAt(deps.now()))) {
    // a suspended/taken-down/moving community refuses writes: its proposals wait (the lazy path resolves them later)
    if (await resolveIfExpired(deps, p.communityDid, p.rkey).catch(() => false)) n++;
  }
  return n;
}

/** The shared start of amend and vote: resolve, status gate, lazy expiry, the open proposal. */
async function openProposalFor(deps: GovernanceDeps, identifier: string, rkey: string): Promise<CommunityRow> {
  const c = await resolveCommunity(deps, identifier);
  communityStatusGate(c, { write: true, now: deps.now() });
  await proposalOn(deps.db.orm, c, rkey); // 404 first
  await resolveIfExpired(deps, c.did, rkey);
  return c;
}

export async function amendProposal(deps: GovernanceDeps, identifier: string, caller: string, input: { proposalRkey: string; proposedRecord: unknown; reason?: string }) {
  const c0 = await openProposalFor(deps, identifier, input.proposalRkey);
  if (input.reason !== undefined && [...input.reason].length > 1000) throw invalidRequest("reason must be at most 1000 characters");
  const rkey = input.proposalRkey;
  return commitAtHead(deps, c0.did, async (head, c) => {
    const orm = deps.db.orm;
    const { cid, record: rec } = await proposalOn(orm, c, rkey);
    if (rec.status !== "open") throw proposalClosed(rec.status);
    if (rec.proposedBy !== caller) throw forbidden("Only the proposer may amend a proposal");
    if (rec.action === "delete") throw invalidRequest("A delete proposal cannot be amended");
    if ((rec.amendments?.length ?? 0) >= MAX_AMENDMENTS) throw invalidRequest(`A proposal can be amended at most ${MAX_AMENDMENTS} times`);
    const target: ProposalTarget = { targetCollection: rec.targetCollection, targetRkey: rec.targetRkey, action: "write", proposedRecord: input.proposedRecord };
    checkTargetShape(target);
    await planTarget(deps, orm, c, target);
    const live = await remoteLiveness(deps, orm, c);
    const nowMs = deps.now();
    const settings = (await recordOn(orm, c.did, COL.settings, "self"))?.value;
    // amending endorses: votes reset to the amender, the TTL restarts, the target CID is refreshed
    const next: ProposalRecord = {
      ...rec,
      proposedRecord: { ...(input.proposedRecord as Record<string, unknown>), $type: rec.targetCollection },
      targetCid: (await recordOn(orm, c.did, rec.targetCollection, rec.targetRkey))?.cid ?? null,
      votesFor: [caller], votesAgainst: [],
      expiresAt: isoAt(nowMs + configOf(settings).proposalTtlDays * DAY_MS),
      amendments: [...(rec.amendments ?? []), { amendedBy: caller, ...(rec.proposedRecord ? { previousRecord: rec.proposedRecord } : {}), amendedAt: isoAt(nowMs), ...(input.reason ? { reason: input.reason } : {}) }],
    };
    const ev = await evaluate(deps, c, rkey, next, live, head.rev);
    return {
      ops: opsOf(rkey, ev, cid),
      rev: ev.rev,
      inTx: async (tx) => {
        await ev.inTx?.(tx);
        await writeAudits(deps, tx, c, caller, [{ action: "community.proposal.amend", meta: { rkey, amendmentCount: next.amendments!.length } }], ev.audits);
      },
      result: (res) => ({ uri: uriOf(c.did, rkey), cid: cidOf(res, rkey), amendmentCount: next.amendments!.length, expiresAt: next.expiresAt, tally: ev.tally, status: ev.status }),
    };
  });
}

export async function voteOnProposal(deps: GovernanceDeps, identifier: string, caller: string, input: { proposalRkey: string; vote: "for" | "against" }) {
  if (input.vote !== "for" && input.vote !== "against") throw invalidRequest("vote must be for or against");
  const c0 = await openProposalFor(deps, identifier, input.proposalRkey);
  const rkey = input.proposalRkey;
  return commitAtHead(deps, c0.did, async (head, c) => {
    const orm = deps.db.orm;
    const { cid, record: rec } = await proposalOn(orm, c, rkey);
    if (rec.status !== "open") throw proposalClosed(rec.status);
    const live = await remoteLiveness(deps, orm, c);
    await assertVoter(orm, c, caller, live);
    if (rec.votesFor.includes(caller) || rec.votesAgainst.includes(caller)) throw alreadyVoted();
    const next: ProposalRecord = input.vote === "for" ? { ...rec, votesFor: [...rec.votesFor, caller] } : { ...rec, votesAgainst: [...rec.votesAgainst, caller] };
    const ev = await evaluate(deps, c, rkey, next, live, head.rev);
    return {
      ops: opsOf(rkey, ev, cid),
      rev: ev.rev,
      inTx: async (tx) => {
        await ev.inTx?.(tx);
        await writeAudits(deps, tx, c, caller, [{ action: "community.proposal.vote", meta: { rkey, vote: input.vote } }], ev.audits);
      },
      result: () => ({ recorded: true as const, status: ev.status, ...(ev.status === "approved" ? { applied: ev.applied } : {}), tally: ev.tally }),
    };
  });
}

/** The view of one proposal: the record, its uri/rkey, and the tally on the current state. */
export type ProposalView = Omit<ProposalRecord, "$type"> & { uri: string; rkey: string; tally: Tally };

export async function proposalView(deps: GovernanceDeps, c: CommunityRow, rkey: string): Promise<ProposalView> {
  const { record } = await proposalOn(deps.db.orm, c, rkey);
  const { $type: _t, ...rest } = record;
  const { tally } = await currentTally(deps.db.orm, c, record, await remoteLiveness(deps, deps.db.orm, c));
  return { uri: uriOf(c.did, rkey), rkey, ...rest, tally };
}
