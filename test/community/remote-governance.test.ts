// Remote members in governance (04 §9, 05 §5-§7): two `ofpds serve --dev` sharing one `ofpds plc`. An account on B,
// a moderator of a community on A, delegates and votes on A with service auth minted on B (lxm = the method).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { call, ok, PASSWORD, register, startEnv, uniq, type Env } from "../account/_support.ts";
import { freePort, spawnOfpds, tempDirs, waitFor } from "../_support/process.ts";

const NS = "net.openfederation.community";
const dir = tempDirs("ofpds-gremote-");
let plc: ReturnType<typeof spawnOfpds>;
let A: Env;
let B: Env;

beforeAll(async () => {
  const port = await freePort();
  plc = spawnOfpds(["plc", "--port", String(port), "--data-dir", dir()]);
  const plcUrl = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${plcUrl}/_health`)).ok, 20_000, "ofpds plc");
  const base = { PLC_URL: plcUrl, APPROVAL_REQUIRED: "false" };
  [A, B] = await Promise.all([startEnv(base), startEnv(base)]);
}, 60_000);
afterAll(async () => {
  await Promise.all([A?.stop(), B?.stop()]);
  plc?.proc.kill("SIGTERM");
  await plc?.proc.exited;
});

async function user(e: Env) {
  const name = uniq("g");
  const reg = await register(e, name);
  const s = await ok(call(e.url, "com.atproto.server.createSession", { body: { identifier: name, password: PASSWORD } }));
  return { did: reg.did as string, accessJwt: s.accessJwt as string };
}

test("a remote moderator delegates and votes through service auth; a token for another method → 401, nothing written", async () => {
  const [remote, owner, mod] = await Promise.all([user(B), user(A), user(A)]);
  const mint = async (lxm: string) => (await ok(call(B.url, "com.atproto.server.getServiceAuth", { token: remote.accessJwt, params: { aud: A.serviceDid, lxm } }))).token as string;
  const c = (await ok(call(A.url, `${NS}.create`, { token: owner.accessJwt, body: { handle: uniq("gov"), didMethod: "plc" } }))).did as string;
  await ok(call(A.url, `${NS}.join`, { token: await mint(`${NS}.join`), body: { did: c } }));
  await ok(call(A.url, `${NS}.join`, { token: mod.accessJwt, body: { did: c } }));
  for (const m of [remote, mod]) await ok(call(A.url, `${NS}.updateMemberRole`, { token: owner.accessJwt, body: { communityDid: c, memberDid: m.did, roleRkey: "moderator" } }));
  await ok(call(A.url, `${NS}.setGovernanceModel`, { token: owner.accessJwt, body: { communityDid: c, governanceModel: "simple-majority", governanceConfig: { quorum: 2 } } }));

  const rev = async () => (await A.sql<{ rev: string }>("SELECT rev FROM repo_roots WHERE did = ?", c))[0]!.rev;
  const before = await rev();
  const wrong = await call(A.url, `${NS}.setDelegation`, { token: await mint(`${NS}.voteOnProposal`), body: { communityDid: c, delegateDid: mod.did } });
  expect(wrong.status).toBe(401);
  expect(await rev()).toBe(before);

  await ok(call(A.url, `${NS}.setDelegation`, { token: await mint(`${NS}.setDelegation`), body: { communityDid: c, delegateDid: mod.did } }));
  const got = await ok(call(A.url, `${NS}.getDelegation`, { params: { communityDid: c, memberDid: mod.did } }));
  expect(got).toEqual({ memberDid: mod.did, delegatedTo: null, delegatedFrom: [remote.did] });

  const propose = (name: string) => ok(call(A.url, `${NS}.createProposal`, { token: owner.accessJwt, body: { communityDid: c, targetCollection: "role", targetRkey: name, action: "write", proposedRecord: { name, permissions: [] } } }));
  const p1 = await propose("first");
  expect(p1.tally).toMatchObject({ for: 1, eligible: 3 });
  const v1 = await ok(call(A.url, `${NS}.voteOnProposal`, { token: mod.accessJwt, body: { communityDid: c, proposalRkey: p1.rkey, vote: "for" } }));
  expect(v1).toMatchObject({ status: "approved", tally: { for: 3, delegatedFor: 1, eligible: 3 } });

  // a direct vote by the remote member overrides its delegation
  const p2 = await propose("second");
  const v2 = await ok(call(A.url, `${NS}.voteOnProposal`, { token: await mint(`${NS}.voteOnProposal`), body: { communityDid: c, proposalRkey: p2.rkey, vote: "against" } }));
  expect(v2).toMatchObject({ status: "open", tally: { for: 1, against: 1, delegatedFor: 0 } });
  const view = await ok(call(A.url, `${NS}.getProposal`, { params: { communityDid: c, rkey: p2.rkey } }));
  expect(view.votesAgainst).toEqual([remote.did]);
  const audit = (await A.sql<{ actor_did: string }>("SELECT actor_did FROM audit_log WHERE action = 'community.proposal.vote' AND target_did = ? ORDER BY rowid", c)).map((r) => r.actor_did);
  expect(audit).toEqual([mod.did, remote.did]);
}, 60_000);
