// Governance verbs against the real `ofpds serve --dev` with --json: governance, propose, amend, vote, proposal,
// proposals, delegate, delegation, undelegate — each output valid against its lexicon, each effect read back
// from the server; refusals keep the server's error name and a non-zero exit code.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli, tempDirs } from "../_support/process.ts";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { call, ok } from "../_support/xrpc.ts";
import { createLexiconRegistry } from "../../src/lexicon/registry.ts";

const NS = "net.openfederation.community.";
const dirs = tempDirs("ofpds-cli-governance-");
const ADMIN_PASSWORD = "Admin-password-1234";
let pds: RunningPds;
let lex: ReturnType<typeof createLexiconRegistry>["lexicons"];
const homes: Record<string, string> = {};
const users: Record<string, { did: string; token: string }> = {};

async function cli(who: string, args: string[]) {
  return runCli([...args, "-s", pds.url], { env: { XDG_CONFIG_HOME: homes[who]! } });
}
async function json(who: string, args: string[], method?: string) {
  const r = await cli(who, [...args, "--json"]);
  if (r.code !== 0) throw new Error(`ofpds ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  const doc = JSON.parse(r.stdout);
  if (method) lex.assertValidXrpcOutput(NS + method, doc);
  return doc;
}

beforeAll(async () => {
  lex = createLexiconRegistry().lexicons;
  for (const who of ["admin", "alice", "bob"]) homes[who] = dirs();
  pds = await startPds({ BOOTSTRAP_ADMIN_EMAIL: "admin@example.org", BOOTSTRAP_ADMIN_HANDLE: "admin", BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD, RATE_LIMITS_ENABLED: "false" });
  expect((await runCli(["auth", "login", "-u", "admin", "--password-stdin", "-s", pds.url], { stdin: ADMIN_PASSWORD, env: { XDG_CONFIG_HOME: homes.admin! } })).code).toBe(0);
  const admin = await ok(call(pds.url, "com.atproto.server.createSession", { body: { identifier: "admin", password: ADMIN_PASSWORD } }));
  users.admin = { did: admin.did, token: admin.accessJwt };
  for (const who of ["alice", "bob"]) {
    const invite = await ok(call(pds.url, "net.openfederation.invite.create", { token: admin.accessJwt, body: {} }));
    const password = `Pw-${who}-governance-1`;
    const reg = await ok(call(pds.url, "net.openfederation.account.register", { body: { handle: who, email: `${who}@example.org`, password, inviteCode: invite.code } }));
    if (reg.status === "pending") await ok(call(pds.url, "net.openfederation.account.approve", { token: admin.accessJwt, body: { did: reg.did } }));
    const s = await ok(call(pds.url, "com.atproto.server.createSession", { body: { identifier: who, password } }));
    users[who] = { did: s.did, token: s.accessJwt };
    expect((await runCli(["auth", "login", "-u", who, "--password-stdin", "-s", pds.url], { stdin: password, env: { XDG_CONFIG_HOME: homes[who]! } })).code).toBe(0);
  }
}, 90_000);
afterAll(async () => {
  await pds?.stop();
});

describe("governance verbs end to end", () => {
  let c = "";
  let rkey = "";
  const settings = async () => (await ok(call(pds.url, "com.atproto.repo.getRecord", { params: { repo: c, collection: `${NS}settings`, rkey: "self" } }))).value;

  test("governance: show, then switch to simple-majority; leaving it directly → GovernanceDenied, non-zero exit", async () => {
    c = (await json("admin", ["community", "create", "-n", "govcli", "-m", "plc"], "create")).did;
    for (const who of ["alice", "bob"]) {
      await ok(call(pds.url, `${NS}join`, { token: users[who]!.token, body: { did: c } }));
      await ok(call(pds.url, `${NS}updateMemberRole`, { token: users.admin!.token, body: { communityDid: c, memberDid: users[who]!.did, roleRkey: "moderator" } }));
    }
    expect(await json("admin", ["community", "governance", "govcli"])).toEqual({ governanceModel: "benevolent-dictator" });
    const set = await json("admin", ["community", "governance", "govcli", "--model", "simple-majority", "--quorum", "2", "--ttl-days", "3"], "setGovernanceModel");
    expect(set).toEqual({ success: true, governanceModel: "simple-majority", governanceConfig: { quorum: 2, proposalTtlDays: 3 } });
    expect(await settings()).toMatchObject({ governanceModel: "simple-majority", governanceConfig: { quorum: 2, proposalTtlDays: 3 } });
    const back = await cli("admin", ["community", "governance", "govcli", "--model", "benevolent-dictator", "--json"]);
    expect(back.code).not.toBe(0);
    expect(back.stderr).toContain("GovernanceDenied");
    expect((await settings()).governanceModel).toBe("simple-majority");
  });

  test("delegate, propose, amend, vote (through the delegation) → applied; proposal, proposals, delegation, undelegate", async () => {
    const d = await json("bob", ["community", "delegate", "govcli", "alice"], "setDelegation");
    expect(d.rkey).toBe(users.bob!.did);
    const file = join(dirs(), "settings.json");
    const current = await settings();
    writeFileSync(file, JSON.stringify({ ...current, joinPolicy: "approval" }));
    const p = await json("admin", ["community", "propose", "govcli", "--collection", "settings", "--rkey", "self", "--record-file", file, "--reason", "vet newcomers"], "createProposal");
    expect(p).toMatchObject({ status: "open", tally: { for: 1, eligible: 3 } });
    rkey = p.rkey;
    const a = await json("admin", ["community", "amend", "govcli", rkey, "--record-file", file, "--reason", "again"], "amendProposal");
    expect(a.amendmentCount).toBe(1);
    const bad = await cli("alice", ["community", "vote", "govcli", rkey, "maybe"]);
    expect(bad.code).toBe(2);
    const v = await json("alice", ["community", "vote", "govcli", rkey, "for"], "voteOnProposal");
    expect(v).toMatchObject({ recorded: true, status: "approved", applied: true, tally: { for: 3, delegatedFor: 1 } });
    expect((await settings()).joinPolicy).toBe("approval");
    const again = await cli("bob", ["community", "vote", "govcli", rkey, "for", "--json"]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain("ProposalClosed");

    const view = await json("alice", ["community", "proposal", "govcli", rkey], "getProposal");
    expect(view).toMatchObject({ rkey, status: "approved", proposedBy: users.admin!.did, votesFor: [users.admin!.did, users.alice!.did] });
    const list = await json("alice", ["community", "proposals", "govcli", "--status", "approved"], "listProposals");
    expect(list.proposals.map((x: any) => x.rkey)).toEqual([rkey]);
    const human = await cli("alice", ["community", "proposals", "govcli"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(rkey);

    expect(await json("alice", ["community", "delegation", "govcli"], "getDelegation")).toEqual({ memberDid: users.alice!.did, delegatedTo: null, delegatedFrom: [users.bob!.did] });
    expect(await json("bob", ["community", "undelegate", "govcli"], "revokeDelegation")).toEqual({ success: true });
    expect(await json("bob", ["community", "delegation", "govcli", "alice"], "getDelegation")).toMatchObject({ delegatedFrom: [] });
    const none = await cli("bob", ["community", "undelegate", "govcli", "--json"]);
    expect(none.code).toBe(4);
  });
});
