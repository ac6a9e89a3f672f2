// Governance (spec 05 §4) and the "Done means" flow of issue 9 against a real server: setGovernanceModel and its
// validation, the one governance gate on every write path (community.update, createRole, generic putRecord), and a
// proposal created, amended, voted (one voter through a delegation) and applied in the same signed commit.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ok, verifiedRepoRecords, xrpc } from "../e2e/_xrpc.ts";
import { govSetup, PROPOSAL, SETTINGS, type Gov, type User } from "./governance-setup.ts";

let g: Gov;
let owner: User, alice: User, bob: User, carol: User, outsider: User;
let c: string;

beforeAll(async () => {
  g = await govSetup();
  [owner, alice, bob, carol, outsider] = (await Promise.all(["gowner", "galice", "gbob", "gcarol", "goutsider"].map((n) => g.s.register(n)))) as [User, User, User, User, User];
  c = await g.community(owner, "govern", [alice, bob], [carol]);
}, 90_000);
afterAll(async () => {
  await g?.s.stop();
});

const setModel = (u: User, body: Record<string, unknown>) => g.post(u, "setGovernanceModel", body, c);

describe("setGovernanceModel", () => {
  test("bad input → 400 InvalidRequest, nothing written", async () => {
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ governanceModel: "anarchy" }, "governanceModel"],
      [{ governanceModel: "simple-majority", governanceConfig: { quorum: 0 } }, "quorum"],
      [{ governanceModel: "simple-majority", governanceConfig: { quorum: 1001 } }, "quorum"],
      [{ governanceModel: "simple-majority", governanceConfig: { quorum: 2.5 } }, "quorum"],
      [{ governanceModel: "simple-majority", governanceConfig: { proposalTtlDays: 0 } }, "proposalTtlDays"],
      [{ governanceModel: "simple-majority", governanceConfig: { proposalTtlDays: 91 } }, "proposalTtlDays"],
      [{ governanceModel: "simple-majority", governanceConfig: { voterRole: "nosuchrole" } }, "does not exist"],
      [{ governanceModel: "simple-majority", governanceConfig: { voterRole: "member" } }, "does not grant"],
      [{ governanceModel: "simple-majority", governanceConfig: { protectedCollections: ["member"] } }, "cannot be protected"],
      [{ governanceModel: "simple-majority", governanceConfig: { protectedCollections: ["proposal"] } }, "cannot be protected"],
      [{ governanceModel: "simple-majority", governanceConfig: { protectedCollections: ["delegation"] } }, "cannot be protected"],
      [{ governanceModel: "simple-majority", governanceConfig: { protectedCollections: ["net.openfederation.community.join"] } }, "not a protectable"],
      [{ governanceModel: "benevolent-dictator" }, "unchanged"],
    ];
    for (const [body, msg] of bad) await g.refused(c, () => setModel(owner, body), 400, "InvalidRequest", msg);
  });

  test("a moderator (no settings.write) → 403 Forbidden; a non-member → 403 NotMember; anonymous → 401", async () => {
    await g.refused(c, () => setModel(alice, { governanceModel: "simple-majority" }), 403, "Forbidden");
    await g.refused(c, () => setModel(outsider, { governanceModel: "simple-majority" }), 403, "NotMember");
    const anon = await xrpc(g.s.pds.url, "net.openfederation.community.setGovernanceModel", { body: { communityDid: c, governanceModel: "simple-majority" } });
    expect(anon.status).toBe(401);
  });

  test("entering simple-majority is direct: defaults filled, settings record and projection updated, audited", async () => {
    const before = await g.s.count("SELECT count(*) AS n FROM audit_log WHERE action = 'community.governance.setModel'");
    const r = await ok(setModel(owner, { governanceModel: "simple-majority", governanceConfig: { quorum: 2, protectedCollections: ["profile", "com.example.custom.thing"] } }));
    expect(r).toEqual({ success: true, governanceModel: "simple-majority", governanceConfig: { quorum: 2, proposalTtlDays: 7, protectedCollections: ["net.openfederation.community.profile", "com.example.custom.thing"] } });
    expect((await g.record(c, SETTINGS, "self"))!.value).toMatchObject({ governanceModel: "simple-majority", governanceConfig: r.governanceConfig });
    expect((await g.s.row(c)).governance_model).toBe("simple-majority");
    const audit = (await g.s.db.query("SELECT actor_did, meta FROM audit_log WHERE action = 'community.governance.setModel' ORDER BY rowid DESC LIMIT 1").get()) as any;
    expect(await g.s.count("SELECT count(*) AS n FROM audit_log WHERE action = 'community.governance.setModel'")).toBe(before + 1);
    expect(audit.actor_did).toBe(owner.did);
    expect(JSON.parse(audit.meta)).toMatchObject({ previousModel: "benevolent-dictator", newModel: "simple-majority" });
  });

  test("leaving simple-majority, or changing its config, → 403 GovernanceDenied (needs a proposal)", async () => {
    for (const body of [{ governanceModel: "benevolent-dictator" }, { governanceModel: "simple-majority", governanceConfig: { quorum: 3 } }]) {
      const r = await g.refused(c, () => setModel(owner, body), 403, "GovernanceDenied");
      expect(r.body).toMatchObject({ requiresProposal: true, targetCollection: SETTINGS });
    }
    await g.refused(c, () => setModel(owner, { governanceModel: "simple-majority", governanceConfig: { quorum: 2, protectedCollections: ["profile", "com.example.custom.thing"] } }), 400, "InvalidRequest", "unchanged");
  });
});

describe("the one governance gate under simple-majority", () => {
  test("community.update (settings and protected profile) → 403 GovernanceDenied with requiresProposal and targetCollection", async () => {
    const s1 = await g.refused(c, () => g.post(owner, "update", { did: c, joinPolicy: "approval" }), 403, "GovernanceDenied");
    expect(s1.body).toMatchObject({ requiresProposal: true, targetCollection: SETTINGS });
    const p1 = await g.refused(c, () => g.post(owner, "update", { did: c, displayName: "Renamed" }), 403, "GovernanceDenied");
    expect(p1.body).toMatchObject({ requiresProposal: true, targetCollection: "net.openfederation.community.profile" });
  });

  test("createRole and updateMemberRole → 403 GovernanceDenied (role)", async () => {
    const r = await g.refused(c, () => g.post(owner, "createRole", { name: "scribe", permissions: [] }, c), 403, "GovernanceDenied");
    expect(r.body).toMatchObject({ requiresProposal: true, targetCollection: "net.openfederation.community.role" });
    const m = await g.refused(c, () => g.post(owner, "updateMemberRole", { memberDid: carol.did, roleRkey: "moderator" }, c), 403, "GovernanceDenied");
    expect(m.body).toMatchObject({ targetCollection: "net.openfederation.community.role" });
  });

  test("generic com.atproto.repo.putRecord / applyWrites / deleteRecord into a protected collection → 403 GovernanceDenied", async () => {
    const settings = (await g.record(c, SETTINGS, "self"))!.value;
    const put = await g.refused(c, () => xrpc(g.s.pds.url, "com.atproto.repo.putRecord", { token: owner.token, body: { repo: c, collection: SETTINGS, rkey: "self", record: { ...settings, joinPolicy: "approval" } } }), 403, "GovernanceDenied");
    expect(put.body).toMatchObject({ requiresProposal: true, targetCollection: SETTINGS });
    const custom = await g.refused(c, () => xrpc(g.s.pds.url, "com.atproto.repo.createRecord", { token: owner.token, body: { repo: c, collection: "com.example.custom.thing", record: { text: "x" } } }), 403, "GovernanceDenied");
    expect(custom.body).toMatchObject({ targetCollection: "com.example.custom.thing" });
    const batch = await g.refused(c, () => xrpc(g.s.pds.url, "com.atproto.repo.applyWrites", { token: owner.token, body: { repo: c, writes: [
      { $type: "com.atproto.repo.applyWrites#create", collection: "com.example.other.free", rkey: "a", value: { text: "free" } },
      { $type: "com.atproto.repo.applyWrites#create", collection: "com.example.custom.thing", rkey: "b", value: { text: "governed" } },
    ] } }), 403, "GovernanceDenied");
    expect(batch.body.targetCollection).toBe("com.example.custom.thing");
    await g.refused(c, () => xrpc(g.s.pds.url, "com.atproto.repo.deleteRecord", { token: owner.token, body: { repo: c, collection: "com.example.custom.thing", rkey: "zzz" } }), 403, "GovernanceDenied");
    // an unprotected custom collection is still writable
    await ok(xrpc(g.s.pds.url, "com.atproto.repo.createRecord", { token: owner.token, body: { repo: c, collection: "com.example.other.free", record: { text: "ok" } } }));
  });

  test("join and leave are never governed", async () => {
    await g.s.join(outsider, c);
    await ok(g.post(outsider, "leave", { did: c }));
  });
});

describe("Done means: a proposal created, amended, voted through a delegation and applied in one signed commit", () => {
  test("end to end", async () => {
    // bob delegates to alice (both voters)
    const d = await ok(g.post(bob, "setDelegation", { delegateDid: alice.did }, c));
    expect(d.rkey).toBe(bob.did);
    const settings = (await g.record(c, SETTINGS, "self"))!.value;
    const created = await ok(g.post(owner, "createProposal", { targetCollection: SETTINGS, targetRkey: "self", action: "write", proposedRecord: { ...settings, joinPolicy: "approval" }, reason: "vet newcomers" }, c));
    // the owner's own vote: 1 of 3, quorum 2 → still open
    expect(created).toMatchObject({ status: "open", tally: { for: 1, against: 0, delegatedFor: 0, delegatedAgainst: 0, eligible: 3, quorum: 2, effectiveQuorum: 2 } });
    const amended = await ok(g.post(owner, "amendProposal", { proposalRkey: created.rkey, proposedRecord: { ...settings, visibility: "public", joinPolicy: "approval" }, reason: "same, explicit" }, c));
    expect(amended).toMatchObject({ amendmentCount: 1, tally: { for: 1 } });
    expect((await g.record(c, SETTINGS, "self"))!.value.joinPolicy).toBe("open");

    const seq = await g.headSeq();
    const vote = await ok(g.post(alice, "voteOnProposal", { proposalRkey: created.rkey, vote: "for" }, c));
    // owner + alice directly, bob through his delegation to alice
    expect(vote).toEqual({ recorded: true, status: "approved", applied: true, tally: { for: 3, against: 0, delegatedFor: 1, delegatedAgainst: 0, eligible: 3, quorum: 2, effectiveQuorum: 2 } });

    const p = await ok(g.get(undefined, "getProposal", { rkey: created.rkey }, c));
    expect(p).toMatchObject({ status: "approved", votesFor: [owner.did, alice.did], votesAgainst: [], proposedBy: owner.did });
    expect(p.amendments).toHaveLength(1);
    expect(p.amendments[0]).toMatchObject({ amendedBy: owner.did, reason: "same, explicit", previousRecord: { joinPolicy: "approval" } });
    expect((await g.record(c, SETTINGS, "self"))!.value.joinPolicy).toBe("approval");
    expect((await g.s.row(c)).join_policy).toBe("approval");

    // ONE commit holds both the new settings and the approved proposal, and its rev is the proposal's appliedRev
    const commits = await g.commitsAfter(c, seq);
    expect(commits).toEqual([{ rev: p.appliedRev, paths: [`${PROPOSAL}/${created.rkey}`, `${SETTINGS}/self`].sort() }]);
    // the CAR verifies against the community's key from the PLC directory; its head is that commit
    const records = await verifiedRepoRecords(g.s.pds.url, g.s.pds.plcUrl, c);
    expect(records.get(`${SETTINGS}/self`)).toBe((await g.record(c, SETTINGS, "self"))!.cid);
    expect(records.get(`${PROPOSAL}/${created.rkey}`)).toBe((await g.record(c, PROPOSAL, created.rkey))!.cid);
    const latest = await ok(xrpc(g.s.pds.url, "com.atproto.sync.getLatestCommit", { params: { did: c } }));
    expect(latest.rev).toBe(p.appliedRev);
    // audit rows in the same transactions
    for (const action of ["community.proposal.create", "community.proposal.amend", "community.proposal.vote", "community.proposal.approve", "community.delegation.set"]) {
      expect(await g.s.count("SELECT count(*) AS n FROM audit_log WHERE action = ? AND target_did = ?", action, c)).toBe(1);
    }
    expect(((await g.s.db.query("SELECT actor_type FROM audit_log WHERE action = 'community.proposal.approve'").get()) as any).actor_type).toBe("system");

    // a further vote on the closed proposal → 400 ProposalClosed, nothing changes
    await g.refused(c, () => g.post(bob, "voteOnProposal", { proposalRkey: created.rkey, vote: "for" }, c), 400, "ProposalClosed");
  });
});

describe("status rules (04 §3) and paths that are never governed", () => {
  test("a suspended community: createProposal, voteOnProposal, setDelegation → 403 CommunitySuspended, nothing written", async () => {
    const x = await g.community(owner, "frozen", [alice]);
    await ok(g.post(owner, "setGovernanceModel", { governanceModel: "simple-majority" }, x));
    const p = await ok(g.post(owner, "createProposal", { targetCollection: "role", targetRkey: "cold", action: "write", proposedRecord: { name: "cold", permissions: [] } }, x));
    await ok(g.post(g.s.admin, "suspend", { did: x, reason: "test" }));
    await g.refused(x, () => g.post(owner, "createProposal", { targetCollection: "role", targetRkey: "colder", action: "write", proposedRecord: { name: "colder", permissions: [] } }, x), 403, "CommunitySuspended");
    await g.refused(x, () => g.post(alice, "voteOnProposal", { proposalRkey: p.rkey, vote: "for" }, x), 403, "CommunitySuspended");
    await g.refused(x, () => g.post(alice, "setDelegation", { delegateDid: owner.did }, x), 403, "CommunitySuspended");
    // reads still work
    expect((await ok(g.get(undefined, "getProposal", { rkey: p.rkey }, x))).status).toBe("open");
  });

  test("transferOwnership under simple-majority is not governed (the owner role moves in one commit)", async () => {
    const x = await g.community(owner, "heirloom", [alice]);
    await ok(g.post(owner, "setGovernanceModel", { governanceModel: "simple-majority" }, x));
    await ok(g.post(owner, "transferOwnership", { did: x, newOwnerDid: alice.did, password: owner.password, previousOwnerRole: "moderator" }));
    expect((await g.s.row(x)).owner_did).toBe(alice.did);
    expect((await g.record(x, "net.openfederation.community.member", alice.did))!.value.roleRkey).toBe("owner");
    // the new owner's updateMemberRole of a third party is governed again
    const m = await g.refused(x, () => g.post(alice, "updateMemberRole", { memberDid: owner.did, roleRkey: "member" }, x), 403, "GovernanceDenied");
    expect(m.body.targetCollection).toBe("net.openfederation.community.role");
  });
});

describe("attestations under simple-majority", () => {
  test("issueAttestation → 403 GovernanceDenied with the default protected set; allowed when attestation is not listed", async () => {
    const x = await g.community(owner, "attesters", [alice]);
    await ok(g.post(owner, "setGovernanceModel", { governanceModel: "simple-majority" }, x));
    const r = await g.refused(x, () => g.post(owner, "issueAttestation", { subjectDid: alice.did, type: "membership", claim: { since: 2026 } }, x), 403, "GovernanceDenied");
    expect(r.body).toMatchObject({ requiresProposal: true, targetCollection: "net.openfederation.community.attestation" });
    // c lists profile and a custom collection only: attestations stay direct there
    await ok(g.post(owner, "issueAttestation", { subjectDid: alice.did, type: "membership", claim: { since: 2026 } }, c));
  });

  test("an attestation by proposal: its subject must be a member (404 NotMember), then approved and written", async () => {
    const x = await g.community(owner, "attestprop", [alice]);
    await ok(g.post(owner, "setGovernanceModel", { governanceModel: "simple-majority" }, x));
    const record = (subjectDid: string) => ({ subjectDid, subjectHandle: "someone.test", type: "credential", claim: { level: 1 }, issuedAt: new Date().toISOString(), issuedBy: owner.did });
    await g.refused(x, () => g.post(owner, "createProposal", { targetCollection: "attestation", targetRkey: "3lbqattest222", action: "write", proposedRecord: record(outsider.did) }, x), 404, "NotMember");
    const p = await ok(g.post(owner, "createProposal", { targetCollection: "attestation", targetRkey: "3lbqattest222", action: "write", proposedRecord: record(alice.did) }, x));
    expect((await ok(g.post(alice, "voteOnProposal", { proposalRkey: p.rkey, vote: "for" }, x))).status).toBe("approved");
    expect((await g.record(x, "net.openfederation.community.attestation", "3lbqattest222"))!.value).toMatchObject({ subjectDid: alice.did, type: "credential" });
  });
});

