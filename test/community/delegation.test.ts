// Delegation (spec 05 §7) against a real server: setDelegation / revokeDelegation / getDelegation, one hop and
// non-transitive weight computed at evaluation, 2- and 3-way cycles refused, non-voters refused, eligibility lost
// (voterRole) counting for nothing, and cleanup on leave — each refusal leaving the repo and the audit log unchanged.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ok } from "../e2e/_xrpc.ts";
import { govSetup, NS, type Gov, type User } from "./governance-setup.ts";

const DELEGATION = `${NS}.delegation`;
let g: Gov;
let owner: User, a: User, b: User, cc: User, d: User, e: User, carol: User, outsider: User;
let c: string;

beforeAll(async () => {
  g = await govSetup();
  [owner, a, b, cc, d, e, carol, outsider] = (await Promise.all(["downer", "dalpha", "dbeta", "dgamma", "ddelta", "decho", "dcarol", "doutsider"].map((n) => g.s.register(n)))) as [User, User, User, User, User, User, User, User];
  c = await g.community(owner, "delegates", [a, b, cc, d, e], [carol]);
}, 90_000);
afterAll(async () => {
  await g?.s.stop();
});

const delegate = (u: User, to: User | string, community = c) => g.post(u, "setDelegation", { delegateDid: typeof to === "string" ? to : to.did }, community);
const view = async (u: User, community = c) => ok(g.get(undefined, "getDelegation", { memberDid: u.did }, community));

describe("setDelegation refusals", () => {
  test("self → 400; a non-voter delegate → 400; a non-member delegate → 404 NotMember; a non-voter → 403; a non-member → 403 NotMember", async () => {
    await g.refused(c, () => delegate(a, a), 400, "InvalidRequest", "yourself");
    await g.refused(c, () => delegate(a, carol), 400, "InvalidRequest", "not an eligible voter");
    await g.refused(c, () => delegate(a, outsider), 404, "NotMember");
    await g.refused(c, () => delegate(carol, a), 403, "Forbidden");
    await g.refused(c, () => delegate(outsider, a), 403, "NotMember");
  });

  test("A→B, then B→A → 409 DelegationCycle; B→C, then C→A → 409 (3-way)", async () => {
    const r = await ok(delegate(a, b));
    expect(r).toMatchObject({ uri: `at://${c}/${DELEGATION}/${a.did}`, rkey: a.did });
    expect((await g.record(c, DELEGATION, a.did))!.value).toMatchObject({ delegatorDid: a.did, delegateDid: b.did });
    await g.refused(c, () => delegate(b, a), 409, "DelegationCycle");
    await ok(delegate(b, cc));
    await g.refused(c, () => delegate(cc, a), 409, "DelegationCycle");
    await g.refused(c, () => delegate(a, b), 400, "InvalidRequest", "already");
    expect(await view(b)).toEqual({ memberDid: b.did, delegatedTo: cc.did, delegatedFrom: [a.did] });
    expect(await view(d)).toEqual({ memberDid: d.did, delegatedTo: null, delegatedFrom: [] });
    const unknown = await g.get(undefined, "getDelegation", { memberDid: outsider.did }, c);
    expect({ status: unknown.status, error: unknown.body.error }).toEqual({ status: 404, error: "NotMember" });
    expect(await g.s.count("SELECT count(*) AS n FROM audit_log WHERE action = 'community.delegation.set' AND target_did = ?", c)).toBe(2);
  });
});

describe("weight at evaluation (6 voters, quorum 3)", () => {
  let p1: string;
  test("A→B and B votes for → delegatedFor 1; A then votes against directly → A counts against, the delegation ignored", async () => {
    await ok(g.post(owner, "setGovernanceModel", { governanceModel: "simple-majority" }, c));
    p1 = (await ok(g.post(owner, "createProposal", { targetCollection: "role", targetRkey: "p1", action: "write", proposedRecord: { name: "p1", permissions: [] } }, c))).rkey;
    const vb = await ok(g.post(b, "voteOnProposal", { proposalRkey: p1, vote: "for" }, c));
    expect(vb.tally).toEqual({ for: 3, against: 0, delegatedFor: 1, delegatedAgainst: 0, eligible: 6, quorum: 3, effectiveQuorum: 3 });
    expect(vb.status).toBe("open");
    const va = await ok(g.post(a, "voteOnProposal", { proposalRkey: p1, vote: "against" }, c));
    expect(va.tally).toMatchObject({ for: 2, against: 1, delegatedFor: 0, delegatedAgainst: 0 });
  });

  test("A→B→C, C votes → B adds 1, A adds nothing (one hop)", async () => {
    const p2 = (await ok(g.post(owner, "createProposal", { targetCollection: "role", targetRkey: "p2", action: "write", proposedRecord: { name: "p2", permissions: [] } }, c))).rkey;
    const v = await ok(g.post(cc, "voteOnProposal", { proposalRkey: p2, vote: "for" }, c));
    expect(v.tally).toMatchObject({ for: 3, delegatedFor: 1, eligible: 6 });
  });

  test("revokeDelegation: the record goes, audited; a second one → 404 NotFound", async () => {
    await ok(g.post(a, "revokeDelegation", {}, c));
    expect(await g.record(c, DELEGATION, a.did)).toBeUndefined();
    expect(await g.s.count("SELECT count(*) AS n FROM audit_log WHERE action = 'community.delegation.revoke' AND target_did = ?", c)).toBe(1);
    await g.refused(c, () => g.post(a, "revokeDelegation", {}, c), 404, "NotFound");
  });

  test("leaving deletes delegations in both directions (B→C goes when C leaves)", async () => {
    await ok(delegate(d, cc));
    expect((await view(cc)).delegatedFrom.sort()).toEqual([b.did, d.did].sort());
    await ok(g.post(cc, "leave", { did: c }));
    expect(await g.record(c, DELEGATION, b.did)).toBeUndefined();
    expect(await g.record(c, DELEGATION, d.did)).toBeUndefined();
  });
});

describe("voterRole: eligibility lost makes a delegation count for nothing", () => {
  test("a moderator outside voterRole cannot vote (403) and their delegation adds no weight", async () => {
    const v = await g.s.community(owner, "senate");
    for (const u of [a, b]) await g.s.join(u, v);
    await ok(g.post(owner, "createRole", { name: "senator", permissions: ["community.governance.write"] }, v));
    const senator = ((await g.s.db.query("SELECT rkey FROM community_roles WHERE community_did = ? AND name = 'senator'").get(v)) as { rkey: string }).rkey;
    await ok(g.post(owner, "updateMemberRole", { memberDid: a.did, roleRkey: senator }, v));
    await ok(g.post(owner, "updateMemberRole", { memberDid: b.did, roleRkey: "moderator" }, v));
    await ok(delegate(b, a, v)); // both eligible while benevolent
    await ok(g.post(owner, "setGovernanceModel", { governanceModel: "simple-majority", governanceConfig: { voterRole: senator } }, v));
    const p = (await ok(g.post(owner, "createProposal", { targetCollection: "role", targetRkey: "x", action: "write", proposedRecord: { name: "x", permissions: [] } }, v))).rkey;
    await g.refused(v, () => g.post(b, "voteOnProposal", { proposalRkey: p, vote: "for" }, v), 403, "Forbidden");
    await g.refused(v, () => delegate(b, owner, v), 403, "Forbidden");
    const r = await ok(g.post(a, "voteOnProposal", { proposalRkey: p, vote: "for" }, v));
    // E = {owner, senator a}: quorum 3 → effective 2; b's delegation to a counts for nothing
    expect(r).toMatchObject({ status: "approved", tally: { for: 2, delegatedFor: 0, eligible: 2, quorum: 3, effectiveQuorum: 2 } });
  });
});
