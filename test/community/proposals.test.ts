// Proposals (spec 05 §5-§6) against a real server: who may propose and vote, target validation, the tally and
// decision rules (early approval/rejection, ties and missing quorum at expiry, lazily resolved on the server's
// clock), amendments, stale targets, role and role-assignment proposals, the open-proposal limit and paging.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ok } from "../e2e/_xrpc.ts";
import { govSetup, NS, PROFILE, PROPOSAL, SETTINGS, type Gov, type User } from "./governance-setup.ts";

const ROLE = `${NS}.role`;
const MEMBER = `${NS}.member`;
const DAY = 86_400_000;
let g: Gov;
let owner: User, alice: User, bob: User, carol: User, outsider: User;
let c: string;

beforeAll(async () => {
  g = await govSetup();
  [owner, alice, bob, carol, outsider] = (await Promise.all(["powner", "palice", "pbob", "pcarol", "poutsider"].map((n) => g.s.register(n)))) as [User, User, User, User, User];
  c = await g.community(owner, "proposals", [alice, bob], [carol]);
  await ok(g.post(owner, "setGovernanceModel", { governanceModel: "simple-majority", governanceConfig: { quorum: 2 } }, c));
}, 90_000);
afterAll(async () => {
  await g?.s.stop();
});

const propose = (u: User, body: Record<string, unknown>, community = c) => g.post(u, "createProposal", body, community);
const vote = (u: User, rkey: string, v: "for" | "against", community = c) => g.post(u, "voteOnProposal", { proposalRkey: rkey, vote: v }, community);
const profile = async () => (await g.record(c, PROFILE, "self"))!.value;
const roleProposal = (name: string, permissions: string[] = []) => ({ targetCollection: ROLE, targetRkey: name, action: "write", proposedRecord: { name, permissions } });

describe("who may propose, and what", () => {
  test("benevolent-dictator → 400 GovernanceNotActive, checked first (even for a non-member)", async () => {
    const bd = await g.s.community(owner, "benevolent");
    for (const u of [owner, outsider]) await g.refused(bd, () => propose(u, roleProposal("x"), bd), 400, "GovernanceNotActive");
  });

  test("a non-member → 403 NotMember; a member without governance.write → 403 Forbidden", async () => {
    await g.refused(c, () => propose(outsider, roleProposal("scribe")), 403, "NotMember");
    await g.refused(c, () => propose(carol, roleProposal("scribe")), 403, "Forbidden");
  });

  test("bad targets and content → 400 InvalidRequest, nothing written", async () => {
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ targetCollection: "com.example.unprotected", targetRkey: "a", action: "write", proposedRecord: { text: "x" } }, "not a protected"],
      [{ targetCollection: "member", targetRkey: carol.did, action: "delete" }, "write of the member record"],
      [{ targetCollection: MEMBER, targetRkey: carol.did, action: "write", proposedRecord: { ...(await g.record(c, MEMBER, carol.did))!.value, handle: "someone.else.test", roleRkey: "moderator" } }, "only roleRkey"],
      [{ targetCollection: ROLE, targetRkey: "nosuch", action: "delete" }, "does not exist"],
      [{ targetCollection: ROLE, targetRkey: "scribe", action: "write" }, "proposedRecord is required"],
      [{ targetCollection: ROLE, targetRkey: "moderator", action: "delete", proposedRecord: { name: "x" } }, "forbidden for a delete"],
      [{ ...roleProposal("scribe", ["community.nope"]) }, "permissions"],
      [{ targetCollection: SETTINGS, targetRkey: "other", action: "write", proposedRecord: (await g.record(c, SETTINGS, "self"))!.value }, "single record self"],
      [{ targetCollection: PROFILE, targetRkey: "self", action: "write", proposedRecord: { ...(await profile()), displayName: "" } }, "displayName"],
      [{ targetCollection: SETTINGS, targetRkey: "self", action: "write", proposedRecord: { ...(await g.record(c, SETTINGS, "self"))!.value, visibility: "private", joinPolicy: "open" } }, "approval join policy"],
      [{ ...roleProposal("scribe"), reason: "r".repeat(1001) }, "reason"],
      [{ ...roleProposal("scribe"), action: "replace" }, "action"],
    ];
    for (const [body, msg] of bad) {
      const r = await g.refused(c, () => propose(owner, body), 400, "InvalidRequest");
      expect(r.body.message).toContain(msg);
    }
    // the owner role can never change, even by proposal
    await g.refused(c, () => propose(owner, { ...roleProposal("owner"), proposedRecord: { name: "owner", permissions: [] } }), 400, "OwnerLockout");
    await g.refused(c, async () => propose(owner, { targetCollection: MEMBER, targetRkey: alice.did, action: "write", proposedRecord: { ...(await g.record(c, MEMBER, alice.did))!.value, roleRkey: "owner" } }), 400, "CannotChangeOwner");
  });
});

describe("tally and decision", () => {
  let roleP: string;
  test("a role proposal: creator's vote on create, a second for → approved (2 > 3/2), the role in the same commit (same rev)", async () => {
    const created = await ok(propose(owner, roleProposal("scribe", ["community.member.read"])));
    roleP = created.rkey;
    expect(created).toMatchObject({ status: "open", tally: { for: 1, against: 0, eligible: 3, effectiveQuorum: 2 } });
    expect(await g.record(c, ROLE, "scribe")).toBeUndefined();
    const seq = await g.headSeq();
    const v = await ok(vote(alice, roleP, "for"));
    expect(v).toMatchObject({ status: "approved", applied: true, tally: { for: 2 } });
    const p = await ok(g.get(undefined, "getProposal", { rkey: roleP }, c));
    expect(await g.commitsAfter(c, seq)).toEqual([{ rev: p.appliedRev, paths: [`${PROPOSAL}/${roleP}`, `${ROLE}/scribe`].sort() }]);
    expect((await g.record(c, ROLE, "scribe"))!.value).toMatchObject({ name: "scribe", permissions: ["community.member.read"] });
    expect(await g.s.count("SELECT count(*) AS n FROM community_roles WHERE community_did = ? AND rkey = 'scribe'", c)).toBe(1);
    expect(await g.s.count("SELECT count(*) AS n FROM audit_log WHERE action = 'community.role.create' AND target_did = ?", c)).toBe(1);
  });

  test("a third vote → 400 ProposalClosed; voting twice → 409 AlreadyVoted; unknown → 404 ProposalNotFound; a non-voter → 403", async () => {
    await g.refused(c, () => vote(bob, roleP, "for"), 400, "ProposalClosed");
    const open = await ok(propose(owner, roleProposal("archivist")));
    await g.refused(c, () => vote(owner, open.rkey, "against"), 409, "AlreadyVoted");
    await g.refused(c, () => vote(alice, "3zzzzzzzzzzzz", "for"), 404, "ProposalNotFound");
    await g.refused(c, () => vote(carol, open.rkey, "for"), 403, "Forbidden");
    await g.refused(c, () => vote(outsider, open.rkey, "for"), 403, "NotMember");
    await g.refused(c, () => vote(alice, open.rkey, "maybe" as never), 400, "InvalidRequest");
    // two against of 3 voters → rejected at once (approval has become impossible); nothing applied
    await ok(vote(alice, open.rkey, "against"));
    const r = await ok(vote(bob, open.rkey, "against"));
    expect(r).toMatchObject({ status: "rejected", tally: { for: 1, against: 2 } });
    expect(r.applied).toBeUndefined();
    expect(await g.record(c, ROLE, "archivist")).toBeUndefined();
    expect((await ok(g.get(undefined, "getProposal", { rkey: open.rkey }, c))).resolvedAt).toBeString();
    expect(await g.s.count("SELECT count(*) AS n FROM audit_log WHERE action = 'community.proposal.reject' AND actor_type = 'system' AND target_did = ?", c)).toBe(1);
  });

  test("a role-assignment proposal: member/<did> with a new roleRkey → applied, carol holds the scribe role", async () => {
    const current = (await g.record(c, MEMBER, carol.did))!.value;
    const p = await ok(propose(owner, { targetCollection: "member", targetRkey: carol.did, action: "write", proposedRecord: { ...current, roleRkey: "scribe" } }));
    await ok(vote(bob, p.rkey, "for"));
    expect((await g.record(c, MEMBER, carol.did))!.value.roleRkey).toBe("scribe");
    expect(await g.s.count("SELECT count(*) AS n FROM community_members WHERE community_did = ? AND member_did = ? AND role_rkey = 'scribe'", c, carol.did)).toBe(1);
  });

  test("a target changed after creation → failed (stale target) on approval, nothing else changes", async () => {
    const base = await profile();
    const p1 = await ok(propose(owner, { targetCollection: "profile", targetRkey: "self", action: "write", proposedRecord: { ...base, displayName: "First" } }));
    const p2 = await ok(propose(owner, { targetCollection: "profile", targetRkey: "self", action: "write", proposedRecord: { ...base, displayName: "Second" } }));
    await ok(vote(alice, p2.rkey, "for"));
    expect((await profile()).displayName).toBe("Second");
    const before = (await g.record(c, PROFILE, "self"))!.cid;
    const r = await ok(vote(alice, p1.rkey, "for"));
    expect(r.status).toBe("failed");
    const view = await ok(g.get(undefined, "getProposal", { rkey: p1.rkey }, c));
    expect(view.failureReason).toContain("stale target");
    expect(view.appliedRev).toBeUndefined();
    expect((await g.record(c, PROFILE, "self"))!.cid).toBe(before);
    expect(await g.s.count("SELECT count(*) AS n FROM audit_log WHERE action = 'community.proposal.fail' AND target_did = ?", c)).toBe(1);
  });
});

describe("amendments", () => {
  test("only the proposer (403); resets votes to the amender, restarts the TTL, refreshes targetCid; > 10 → 400", async () => {
    const p = await ok(propose(owner, roleProposal("herald")));
    await ok(vote(bob, p.rkey, "against"));
    const proposedRecord = { name: "herald", permissions: ["community.role.read"] };
    await g.refused(c, () => g.post(alice, "amendProposal", { proposalRkey: p.rkey, proposedRecord }, c), 403, "Forbidden");
    await g.refused(c, () => g.post(owner, "amendProposal", { proposalRkey: "3zzzzzzzzzzzz", proposedRecord }, c), 404, "ProposalNotFound");
    await g.refused(c, () => g.post(owner, "amendProposal", { proposalRkey: p.rkey, proposedRecord: { name: "herald", permissions: ["bad"] } }, c), 400, "InvalidRequest");
    const before = await ok(g.get(undefined, "getProposal", { rkey: p.rkey }, c));
    expect(before.votesAgainst).toEqual([bob.did]);
    g.s.pds.advanceClock(60_000);
    const a = await ok(g.post(owner, "amendProposal", { proposalRkey: p.rkey, proposedRecord, reason: "narrower" }, c));
    expect(a).toMatchObject({ amendmentCount: 1, tally: { for: 1, against: 0 } });
    expect(Date.parse(a.expiresAt) - Date.parse(before.expiresAt)).toBeGreaterThanOrEqual(60_000);
    const after = await ok(g.get(undefined, "getProposal", { rkey: p.rkey }, c));
    expect(after).toMatchObject({ votesFor: [owner.did], votesAgainst: [], proposedRecord: { name: "herald", permissions: ["community.role.read"] } });
    for (let i = 2; i <= 10; i++) await ok(g.post(owner, "amendProposal", { proposalRkey: p.rkey, proposedRecord: { name: "herald", permissions: [], description: `v${i}` } }, c));
    await g.refused(c, () => g.post(owner, "amendProposal", { proposalRkey: p.rkey, proposedRecord }, c), 400, "InvalidRequest", "at most 10");
    expect((await ok(g.get(undefined, "getProposal", { rkey: p.rkey }, c))).amendments).toHaveLength(10);
  });

  test("a delete proposal cannot be amended (400); a closed one → 400 ProposalClosed", async () => {
    const d = await ok(propose(owner, { targetCollection: ROLE, targetRkey: "herald-none", action: "write", proposedRecord: { name: "temp", permissions: [] } }));
    await ok(vote(alice, d.rkey, "for"));
    await g.refused(c, () => g.post(owner, "amendProposal", { proposalRkey: d.rkey, proposedRecord: { name: "x", permissions: [] } }, c), 400, "ProposalClosed");
    const del = await ok(propose(owner, { targetCollection: ROLE, targetRkey: "herald-none", action: "delete" }));
    await g.refused(c, () => g.post(owner, "amendProposal", { proposalRkey: del.rkey, proposedRecord: { name: "x", permissions: [] } }, c), 400, "InvalidRequest", "delete proposal");
    await ok(vote(alice, del.rkey, "for"));
    expect(await g.record(c, ROLE, "herald-none")).toBeUndefined();
  });
});

describe("expiry on the server's clock (lazy path)", () => {
  test("a tie at expiry → rejected; no quorum at expiry → expired; resolved by the first read, audited as system", async () => {
    const e = await g.s.community(owner, "expiring");
    for (const u of [alice, bob]) await g.s.join(u, e);
    for (const u of [alice, bob]) await ok(g.post(owner, "updateMemberRole", { memberDid: u.did, roleRkey: "moderator" }, e));
    await ok(g.post(owner, "setGovernanceModel", { governanceModel: "simple-majority", governanceConfig: { quorum: 2, proposalTtlDays: 1 } }, e));
    const tie = await ok(propose(owner, { ...roleProposal("tie") }, e));
    await ok(vote(bob, tie.rkey, "against", e));
    const lonely = await ok(propose(owner, { ...roleProposal("lonely") }, e));
    g.s.pds.advanceClock(DAY + 60_000);
    await g.relogin(owner, alice, bob); // the access tokens expired with the day
    // nothing resolves without a touch...
    expect(await g.s.db.query("SELECT status FROM community_proposals WHERE community_did = ? ORDER BY rkey").all(e)).toEqual([{ status: "open" }, { status: "open" }]);
    // ...then a read resolves both (idempotently), and a vote after expiry is refused
    const t = await ok(g.get(undefined, "getProposal", { rkey: tie.rkey }, e));
    expect(t).toMatchObject({ status: "rejected" });
    const list = await ok(g.get(undefined, "listProposals", {}, e));
    expect(list.proposals.map((p: any) => [p.rkey, p.status])).toEqual([[lonely.rkey, "expired"], [tie.rkey, "rejected"]]);
    await g.refused(e, () => vote(alice, lonely.rkey, "for", e), 400, "ProposalClosed");
    expect(await g.record(e, ROLE, "tie")).toBeUndefined();
    expect(await g.s.count("SELECT count(*) AS n FROM audit_log WHERE action = 'community.proposal.expire' AND actor_type = 'system' AND target_did = ?", e)).toBe(1);
    expect(await g.s.count("SELECT count(*) AS n FROM audit_log WHERE action = 'community.proposal.reject' AND actor_type = 'system' AND target_did = ?", e)).toBe(1);
  });
});

describe("limits and listing", () => {
  test("> 20 open proposals → 409 TooManyProposals; listProposals pages never overlap and list all newest first", async () => {
    const m = await g.s.community(owner, "manyprops");
    await ok(g.post(owner, "setGovernanceModel", { governanceModel: "simple-majority", governanceConfig: { quorum: 2, protectedCollections: ["com.example.custom.thing"] } }, m));
    await g.s.join(alice, m);
    const rkeys: string[] = [];
    // alice holds no governance.write: the owner is the only voter (|E| = 1) → approved and applied in the creating commit
    const solo = await ok(propose(owner, { targetCollection: "com.example.custom.thing", targetRkey: "solo", action: "write", proposedRecord: { text: "solo" } }, m));
    expect(solo).toMatchObject({ status: "approved", tally: { for: 1, eligible: 1, effectiveQuorum: 1 } });
    expect((await g.record(m, "com.example.custom.thing", "solo"))!.value).toMatchObject({ text: "solo" });
    rkeys.push(solo.rkey);
    // make alice a voter (by proposal, also approved at once), so the next proposals stay open
    const mem = (await g.record(m, MEMBER, alice.did))!.value;
    const promote = await ok(propose(owner, { targetCollection: MEMBER, targetRkey: alice.did, action: "write", proposedRecord: { ...mem, roleRkey: "moderator" } }, m));
    expect(promote.status).toBe("approved");
    rkeys.push(promote.rkey);
    for (let i = 0; i < 20; i++) rkeys.push((await ok(propose(owner, { targetCollection: "com.example.custom.thing", targetRkey: `t${i}`, action: "write", proposedRecord: { text: `n${i}` } }, m))).rkey);
    await g.refused(m, () => propose(owner, { targetCollection: "com.example.custom.thing", targetRkey: "t20", action: "write", proposedRecord: { text: "one too many" } }, m), 409, "TooManyProposals");
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await ok(g.get(undefined, "listProposals", { limit: "7", ...(cursor ? { cursor } : {}) }, m));
      expect(page.proposals.length).toBeLessThanOrEqual(7);
      seen.push(...page.proposals.map((p: any) => p.rkey));
      cursor = page.cursor;
    } while (cursor);
    expect(seen).toEqual([...rkeys].sort().reverse());
    expect(new Set(seen).size).toBe(22);
    const open = await ok(g.get(undefined, "listProposals", { status: "open", limit: "100" }, m));
    expect(open.proposals).toHaveLength(20);
    const approved = await ok(g.get(undefined, "listProposals", { status: "approved" }, m));
    expect(approved.proposals.map((p: any) => p.rkey).sort()).toEqual([solo.rkey, promote.rkey].sort());
    const bad = await g.get(undefined, "listProposals", { status: "weird" }, m);
    expect({ status: bad.status, error: bad.body.error }).toEqual({ status: 400, error: "InvalidRequest" });
  });
});

describe("leaving simple-majority by proposal, approval at expiry, deletion", () => {
  beforeAll(() => g.relogin(owner, alice, bob, carol)); // the clock moved a day in the expiry tests above
  const fourVoters = async (name: string, cfg: Record<string, unknown>) => {
    const x = await g.s.community(owner, name);
    for (const u of [alice, bob, carol]) await g.s.join(u, x);
    for (const u of [alice, bob, carol]) await ok(g.post(owner, "updateMemberRole", { memberDid: u.did, roleRkey: "moderator" }, x));
    await ok(g.post(owner, "setGovernanceModel", { governanceModel: "simple-majority", governanceConfig: cfg }, x));
    return x;
  };

  test("a settings proposal back to benevolent-dictator: applied, every other open proposal failed in the same commit, direct writes work again", async () => {
    const x = await fourVoters("leaving", { quorum: 2 });
    const other = await ok(propose(owner, roleProposal("left-behind"), x));
    const settings = (await g.record(x, SETTINGS, "self"))!.value;
    const { governanceConfig: _cfg, ...rest } = settings;
    const leave = await ok(propose(owner, { targetCollection: "settings", targetRkey: "self", action: "write", proposedRecord: { ...rest, governanceModel: "benevolent-dictator" } }, x));
    await ok(vote(alice, leave.rkey, "for", x));
    const seq = await g.headSeq();
    const r = await ok(vote(bob, leave.rkey, "for", x));
    expect(r).toMatchObject({ status: "approved", applied: true });
    const applied = await ok(g.get(undefined, "getProposal", { rkey: leave.rkey }, x));
    expect(await g.commitsAfter(x, seq)).toEqual([{ rev: applied.appliedRev, paths: [`${PROPOSAL}/${leave.rkey}`, `${PROPOSAL}/${other.rkey}`, `${SETTINGS}/self`].sort() }]);
    expect((await g.record(x, SETTINGS, "self"))!.value.governanceModel).toBe("benevolent-dictator");
    expect((await g.record(x, SETTINGS, "self"))!.value.governanceConfig).toBeUndefined();
    expect((await g.s.row(x)).governance_model).toBe("benevolent-dictator");
    expect(await ok(g.get(undefined, "getProposal", { rkey: other.rkey }, x))).toMatchObject({ status: "failed", failureReason: "governance model changed" });
    await ok(g.post(owner, "update", { did: x, displayName: "Free again" }));
    await ok(g.post(owner, "createRole", { name: "direct", permissions: [] }, x));
    await g.refused(x, () => propose(owner, roleProposal("late"), x), 400, "GovernanceNotActive");
  });

  test("approval at expiry: quorate, for > against but not > |E|/2 → approved and applied by the lazy path (system)", async () => {
    const x = await fourVoters("atexpiry", { quorum: 2, proposalTtlDays: 1 });
    const p = await ok(propose(owner, roleProposal("patient"), x));
    const v = await ok(vote(alice, p.rkey, "for", x));
    expect(v).toMatchObject({ status: "open", tally: { for: 2, eligible: 4 } });
    g.s.pds.advanceClock(DAY + 60_000);
    await g.relogin(owner, alice, bob, carol);
    const seq = await g.headSeq();
    const view = await ok(g.get(undefined, "getProposal", { rkey: p.rkey }, x));
    expect(view.status).toBe("approved");
    expect(await g.commitsAfter(x, seq)).toEqual([{ rev: view.appliedRev, paths: [`${PROPOSAL}/${p.rkey}`, `${ROLE}/patient`].sort() }]);
    expect(await g.record(x, ROLE, "patient")).toBeDefined();
    // a second read resolves nothing again (idempotent)
    await ok(g.get(undefined, "getProposal", { rkey: p.rkey }, x));
    expect(await g.commitsAfter(x, seq)).toHaveLength(1);
  });

  test("community.delete drops the proposals projection with the repo", async () => {
    const x = await fourVoters("doomed", { quorum: 2 });
    await ok(propose(owner, roleProposal("gone"), x));
    expect(await g.s.count("SELECT count(*) AS n FROM community_proposals WHERE community_did = ?", x)).toBe(1);
    await ok(g.post(owner, "delete", { did: x }));
    expect(await g.s.count("SELECT count(*) AS n FROM community_proposals WHERE community_did = ?", x)).toBe(0);
  });
});

describe("concurrency", () => {
  test("concurrent votes on one proposal all land (each commit is planned at the head and re-planned when it moved)", async () => {
    await g.relogin(owner, alice, bob, carol, outsider);
    const x = await g.s.community(owner, "crowded");
    for (const u of [alice, bob, carol, outsider]) await g.s.join(u, x);
    for (const u of [alice, bob, carol, outsider]) await ok(g.post(owner, "updateMemberRole", { memberDid: u.did, roleRkey: "moderator" }, x));
    await ok(g.post(owner, "setGovernanceModel", { governanceModel: "simple-majority", governanceConfig: { quorum: 5 } }, x));
    const p = await ok(propose(owner, roleProposal("busy"), x));
    const votes = await Promise.all([vote(alice, p.rkey, "for", x), vote(bob, p.rkey, "against", x), vote(carol, p.rkey, "against", x)]);
    expect(votes.map((v) => v.status)).toEqual([200, 200, 200]);
    const view = await ok(g.get(undefined, "getProposal", { rkey: p.rkey }, x));
    // for 2 of 5 (not > 5/2), against 2 (< 5/2): still open, nothing lost
    expect(view.status).toBe("open");
    expect([...view.votesFor].sort()).toEqual([owner.did, alice.did].sort());
    expect([...view.votesAgainst].sort()).toEqual([bob.did, carol.did].sort());
    expect(await g.s.count("SELECT count(*) AS n FROM audit_log WHERE action = 'community.proposal.vote' AND target_did = ?", x)).toBe(3);
  });
});

