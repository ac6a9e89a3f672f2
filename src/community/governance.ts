// GovernanceService (spec 05 §4-§7): the governance model, proposals and delegation, one method per XRPC method,
// and the 5-minute expiry sweep job. Callers are local accounts or remote actors (04 §9) by DID.
import type { AuthResult } from "../caller.ts";
import type { Job } from "../jobs/scheduler.ts";
import { invalidRequest } from "../errors.ts";
import { callerDid, communityStatusGate, isStaff, membershipOf, resolveCommunity } from "./gate.ts";
import { communityPrivate } from "./errors.ts";
import { actorDid } from "./remote.ts";
import { setGovernanceModel } from "./governance-model.ts";
import { amendProposal, createProposal, proposalView, resolveExpiredOf, resolveIfExpired, sweepExpired, voteOnProposal, type CreateProposalInput } from "./proposals.ts";
import { proposalPage } from "./proposal-store.ts";
import { getDelegation, revokeDelegation, setDelegation } from "./delegation.ts";
import type { GovernanceDeps } from "./governance-deps.ts";
import type { ProposalStatus } from "./governance-schema.ts";
import { proposalNotFound } from "./governance-errors.ts";
import { COL } from "./permissions.ts";
import { recordOn } from "./roles.ts";

const STATUSES: ProposalStatus[] = ["open", "approved", "rejected", "expired", "failed"];
export const PROPOSAL_SWEEP_MS = 5 * 60_000;

export class GovernanceService {
  constructor(private readonly deps: GovernanceDeps) {}

  setGovernanceModel(identifier: string, callerDid: string, input: { governanceModel: string; governanceConfig?: Record<string, unknown> }) {
    return setGovernanceModel(this.deps, identifier, callerDid, input);
  }
  createProposal(identifier: string, auth: AuthResult, input: CreateProposalInput) {
    return createProposal(this.deps, identifier, actorDid(auth), input);
  }
  amendProposal(identifier: string, auth: AuthResult, input: { proposalRkey: string; proposedRecord: unknown; reason?: string }) {
    return amendProposal(this.deps, identifier, actorDid(auth), input);
  }
  voteOnProposal(identifier: string, auth: AuthResult, input: { proposalRkey: string; vote: "for" | "against" }) {
    return voteOnProposal(this.deps, identifier, actorDid(auth), input);
  }
  setDelegation(identifier: string, auth: AuthResult, delegateDid: string) {
    return setDelegation(this.deps, identifier, actorDid(auth), delegateDid);
  }
  revokeDelegation(identifier: string, auth: AuthResult) {
    return revokeDelegation(this.deps, identifier, actorDid(auth));
  }
  getDelegation(identifier: string, auth: AuthResult, memberDid: string) {
    return getDelegation(this.deps, identifier, auth, memberDid);
  }

  /** The read rules of proposals: takendown → 410 unless owner/staff; private → members only (403 CommunityPrivate). */
  private async readable(identifier: string, auth: AuthResult) {
    const c = await resolveCommunity(this.deps, identifier);
    const me = callerDid(auth);
    const staff = isStaff(auth);
    communityStatusGate(c, { write: false, bypass: staff || me === c.ownerDid });
    if (c.visibility === "private" && !staff && !(me && (await membershipOf(this.deps.db.orm, c, me)))) throw communityPrivate();
    return c;
  }

  async getProposal(identifier: string, auth: AuthResult, rkey: string) {
    const c = await this.readable(identifier, auth);
    if (!(await recordOn(this.deps.db.orm, c.did, COL.proposal, rkey))) throw proposalNotFound();
    await resolveIfExpired(this.deps, c.did, rkey).catch(() => false); // lazy expiry; a frozen community keeps it open
    return proposalView(this.deps, c, rkey);
  }

  async listProposals(identifier: string, auth: AuthResult, params: { status?: string; limit?: number; cursor?: string }) {
    const c = await this.readable(identifier, auth);
    if (params.status !== undefined && !STATUSES.includes(params.status as ProposalStatus)) throw invalidRequest(`status must be one of ${STATUSES.join(", ")}`);
    const limit = params.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw invalidRequest("limit must be 1-100");
    await resolveExpiredOf(this.deps, c.did);
    const page = await proposalPage(this.deps.db.orm, c.did, { status: params.status as ProposalStatus | undefined, limit, cursor: params.cursor });
    const proposals = [];
    for (const rkey of page.rkeys) proposals.push(await proposalView(this.deps, c, rkey));
    return { proposals, ...(page.cursor ? { cursor: page.cursor } : {}) };
  }

  /** The sweep (05 §5): every 5 minutes, and once at start (catch-up after downtime). */
  sweepJob(): Job {
    return { name: "proposal-expiry-sweep", intervalMs: PROPOSAL_SWEEP_MS, runAtStart: true, run: () => sweepExpired(this.deps).then(() => {}) };
  }
}
