// Delegation (spec 05 §7): one record per delegator (rkey = delegator DID), one hop, non-transitive, no cycles.
// Weight is never stored: the tally follows delegations at evaluation time (governance-rules.ts tally).
import { forbidden, invalidRequest } from "../errors.ts";
import { COL } from "./permissions.ts";
import { callerDid, communityStatusGate, isStaff, membershipOf, resolveCommunity } from "./gate.ts";
import { communityPrivate, notMember } from "./errors.ts";
import { recordOn } from "./roles.ts";
import type { AuthResult } from "../caller.ts";
import { delegationCycle, delegationNotFound, memberNotFound } from "./governance-errors.ts";
import { delegationMap } from "./voters.ts";
import { currentTally, remoteLiveness } from "./proposal-eval.ts";
import { commitAtHead, isoAt, type GovernanceDeps } from "./governance-deps.ts";

const uriOf = (did: string, rkey: string) => `at://${did}/${COL.delegation}/${rkey}`;

export async function setDelegation(deps: GovernanceDeps, identifier: string, caller: string, delegateDid: string) {
  const c0 = await resolveCommunity(deps, identifier);
  communityStatusGate(c0, { write: true, now: deps.now() });
  if (delegateDid === caller) throw invalidRequest("You cannot delegate to yourself");
  return commitAtHead(deps, c0.did, async (_head, c) => {
    const orm = deps.db.orm;
    if (!(await membershipOf(orm, c, caller))) throw notMember();
    const { eligible } = await currentTally(orm, c, { votesFor: [], votesAgainst: [] }, await remoteLiveness(deps, orm, c));
    if (!eligible.has(caller)) throw forbidden("Only eligible voters may delegate");
    if (!(await membershipOf(orm, c, delegateDid))) throw memberNotFound("The delegate is not a member of this community");
    if (!eligible.has(delegateDid)) throw invalidRequest("The delegate is not an eligible voter");
    // a cycle: following the delegate's own chain reaches the caller (2-way A→B→A, 3-way A→B→C→A, …)
    const map = await delegationMap(orm, c.did);
    const seen = new Set<string>();
    for (let d: string | undefined = delegateDid; d !== undefined && !seen.has(d); d = map.get(d)) {
      if (d === caller) throw delegationCycle();
      seen.add(d);
    }
    const current = await recordOn(orm, c.did, COL.delegation, caller);
    if (current?.value.delegateDid === delegateDid) throw invalidRequest("You already delegate to that member");
    const record = { $type: COL.delegation, delegatorDid: caller, delegateDid, createdAt: isoAt(deps.now()) };
    return {
      ops: [{ action: "put", collection: COL.delegation, rkey: caller, record, swapRecord: current?.cid ?? null }],
      inTx: async (tx) => deps.audit.writeInTx(tx, { action: "community.delegation.set", actorType: "account", actorDid: caller, targetDid: c.did, meta: { delegateDid, ...(current ? { previousDelegateDid: current.value.delegateDid } : {}) } }),
      result: (res) => ({ uri: uriOf(c.did, caller), cid: (res?.results[0] as { cid?: string } | undefined)?.cid ?? "", rkey: caller }),
    };
  });
}

export async function revokeDelegation(deps: GovernanceDeps, identifier: string, caller: string) {
  const c0 = await resolveCommunity(deps, identifier);
  communityStatusGate(c0, { write: true, now: deps.now() });
  return commitAtHead(deps, c0.did, async (_head, c) => {
    const current = await recordOn(deps.db.orm, c.did, COL.delegation, caller);
    if (!current) throw delegationNotFound();
    return {
      ops: [{ action: "delete", collection: COL.delegation, rkey: caller, swapRecord: current.cid }],
      inTx: async (tx) => deps.audit.writeInTx(tx, { action: "community.delegation.revoke", actorType: "account", actorDid: caller, targetDid: c.did, meta: { delegateDid: current.value.delegateDid } }),
      result: () => ({ success: true as const }),
    };
  });
}

export async function getDelegation(deps: GovernanceDeps, identifier: string, auth: AuthResult, memberDid: string) {
  const c = await resolveCommunity(deps, identifier);
  const me = callerDid(auth);
  const staff = isStaff(auth);
  communityStatusGate(c, { write: false, bypass: staff || me === c.ownerDid });
  if (c.visibility === "private" && !staff && !(me && (await membershipOf(deps.db.orm, c, me)))) throw communityPrivate();
  if (!(await membershipOf(deps.db.orm, c, memberDid))) throw memberNotFound();
  const map = await delegationMap(deps.db.orm, c.did);
  return { memberDid, delegatedTo: map.get(memberDid) ?? null, delegatedFrom: [...map].filter(([, to]) => to === memberDid).map(([from]) => from).sort() };
}
