// Remote members (04 §9), end to end: two `ofpds serve --dev` instances sharing one `ofpds plc`. An account on B
// calls community methods on A with service auth minted on B (getServiceAuth, aud = A, lxm = the method); a third
// instance with REMOTE_MEMBERS_ENABLED=false refuses such tokens.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { call, ok, PASSWORD, register, startEnv, uniq, type Env } from "../account/_support.ts";
import { freePort, spawnOfpds, tempDirs, waitFor } from "../_support/process.ts";

const NS = "net.openfederation.community";
const dir = tempDirs("ofpds-cremote-");
let plc: ReturnType<typeof spawnOfpds>;
let A: Env;
let B: Env;
let OFF: Env;

beforeAll(async () => {
  const port = await freePort();
  plc = spawnOfpds(["plc", "--port", String(port), "--data-dir", dir()]);
  const plcUrl = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${plcUrl}/_health`)).ok, 20_000, "ofpds plc");
  const base = { PLC_URL: plcUrl, APPROVAL_REQUIRED: "false" };
  [A, B, OFF] = await Promise.all([startEnv(base), startEnv(base), startEnv({ ...base, REMOTE_MEMBERS_ENABLED: "false" })]);
}, 60_000);

afterAll(async () => {
  if (process.env.REMOTE_LOGS) console.log(A?.pds.logs(), B?.pds.logs());
  await Promise.all([A?.stop(), B?.stop(), OFF?.stop()]);
  plc?.proc.kill("SIGTERM");
  await plc?.proc.exited;
});

/** A local account (APPROVAL_REQUIRED=false: approved at once) with a session. */
async function user(e: Env) {
  const name = uniq("u");
  const reg = await register(e, name);
  const s = await ok(call(e.url, "com.atproto.server.createSession", { body: { identifier: name, password: PASSWORD } }));
  return { did: reg.did as string, accessJwt: s.accessJwt as string };
}
const openCommunity = async (e: Env, owner: { accessJwt: string }) =>
  (await ok(call(e.url, `${NS}.create`, { token: owner.accessJwt, body: { handle: uniq("club"), didMethod: "plc" } }))) as { did: string };
const memberRows = async (e: Env, communityDid: string) => (await e.sql<{ member_did: string }>("SELECT member_did FROM community_members WHERE community_did = ?", communityDid)).map((r) => r.member_did);
const rev = async (e: Env, did: string) => (await e.sql<{ rev: string }>("SELECT rev FROM repo_roots WHERE did = ?", did))[0]?.rev;

describe("a remote member (account on B) in a community on A", () => {
  let remote: Awaited<ReturnType<typeof user>>;
  let owner: Awaited<ReturnType<typeof user>>;
  let community: { did: string };
  /** a service-auth token minted on B for `lxm` (aud = A unless given) */
  const mint = async (lxm: string, aud = A.serviceDid) =>
    (await ok(call(B.url, "com.atproto.server.getServiceAuth", { token: remote.accessJwt, params: { aud, lxm } }))).token as string;

  beforeAll(async () => {
    [remote, owner] = await Promise.all([user(B), user(A)]);
    community = await openCommunity(A, owner);
  });

  test("joins with a token for join; listMembers, get and listMine show the membership", async () => {
    const joined = await ok(call(A.url, `${NS}.join`, { token: await mint(`${NS}.join`), body: { did: community.did } }));
    expect(joined).toEqual({ status: "joined" });
    expect((await memberRows(A, community.did)).sort()).toEqual([owner.did, remote.did].sort());

    const list = await ok(call(A.url, `${NS}.listMembers`, { params: { did: community.did } }));
    const me = list.members.find((m: any) => m.did === remote.did);
    // both dev servers use HANDLE_DOMAIN=test, so A cannot verify B's handle bidirectionally → handle.invalid
    expect(me).toMatchObject({ did: remote.did, handle: "handle.invalid", role: "member", roleRkey: "member", active: true });
    expect(list.total).toBe(2);

    const view = await ok(call(A.url, `${NS}.get`, { token: await mint(`${NS}.get`), params: { did: community.did } }));
    expect(view).toMatchObject({ isMember: true, isOwner: false, myMembership: { role: "member", roleRkey: "member" } });

    const mine = await ok(call(A.url, `${NS}.listMine`, { token: await mint(`${NS}.listMine`), params: {} }));
    expect(mine.communities.map((c: any) => c.did)).toEqual([community.did]);
    expect(mine.communities[0]).toMatchObject({ role: "member", roleRkey: "member" });
  });

  test("wrong lxm, wrong aud and a replayed jti → 401 InvalidToken, nothing written", async () => {
    const other = await openCommunity(A, owner);
    const before = await rev(A, other.did);
    const join = (token: string) => call(A.url, `${NS}.join`, { token, body: { did: other.did } });

    const wrongLxm = await join(await mint(`${NS}.listMine`));
    const wrongAud = await join(await mint(`${NS}.join`, B.serviceDid));
    const once = await mint(`${NS}.get`);
    expect((await call(A.url, `${NS}.get`, { token: once, params: { did: other.did } })).status).toBe(200);
    const replayed = await call(A.url, `${NS}.get`, { token: once, params: { did: other.did } });
    const joinToken = await mint(`${NS}.join`);
    // the join token is spent on the community it was meant for… and cannot be replayed on `other`
    await ok(call(A.url, `${NS}.leave`, { token: await mint(`${NS}.leave`), body: { did: community.did } }));
    await ok(call(A.url, `${NS}.join`, { token: joinToken, body: { did: community.did } }));
    const replayedJoin = await join(joinToken);
    for (const r of [wrongLxm, wrongAud, replayed, replayedJoin]) {
      expect(r.status).toBe(401);
      expect(r.body.error).toBe("InvalidToken");
    }
    expect(await memberRows(A, other.did)).toEqual([owner.did]);
    expect(await rev(A, other.did)).toBe(before);
    expect(await A.sql("SELECT 1 FROM join_requests WHERE did = ?", remote.did)).toEqual([]);
  });

  test("a service token is no session: local-only methods refuse it; a remote actor holds no PDS roles", async () => {
    const create = await call(A.url, `${NS}.create`, { token: await mint(`${NS}.create`), body: { handle: uniq("club"), didMethod: "plc" } });
    expect(create.status).toBe(401);
    const all = await call(A.url, `${NS}.listAll`, { token: await mint(`${NS}.listAll`), params: { mode: "all" } });
    expect(all.status).toBe(401); // listAll is not remote-capable in this build: an ES256K token is not an access JWT
    // a private community stays hidden from a remote non-member (no staff bypass for remote actors)
    const hidden = await ok(call(A.url, `${NS}.create`, { token: owner.accessJwt, body: { handle: uniq("club"), didMethod: "plc", visibility: "private", joinPolicy: "approval" } }));
    expect((await call(A.url, `${NS}.get`, { token: await mint(`${NS}.get`), params: { did: hidden.did } })).status).toBe(404);
    const members = await call(A.url, `${NS}.listMembers`, { token: await mint(`${NS}.listMembers`), params: { did: hidden.did } });
    expect([members.status, members.body.error]).toEqual([403, "CommunityPrivate"]);
  });

  test("in an approval-only community a remote join request can be approved by the owner", async () => {
    const gated = (await ok(call(A.url, `${NS}.create`, { token: owner.accessJwt, body: { handle: uniq("gated"), didMethod: "plc", joinPolicy: "approval" } }))) as { did: string };
    expect(await ok(call(A.url, `${NS}.join`, { token: await mint(`${NS}.join`), body: { did: gated.did } }))).toEqual({ status: "pending" });
    const pending = await ok(call(A.url, `${NS}.listJoinRequests`, { token: owner.accessJwt, params: { did: gated.did } }));
    const request = pending.requests.find((r: any) => r.did === remote.did);
    // (not toMatchObject with expect.any: Bun 1.4.5 writes the matcher into the received object)
    expect([request?.did, typeof request?.id, request?.status]).toEqual([remote.did, "string", "pending"]);
    expect(await ok(call(A.url, `${NS}.resolveJoinRequest`, { token: owner.accessJwt, body: { requestId: request.id, action: "approve" } }))).toEqual({ status: "approved" });
    expect((await memberRows(A, gated.did)).sort()).toEqual([owner.did, remote.did].sort());
    const list = await ok(call(A.url, `${NS}.listMembers`, { params: { did: gated.did } }));
    expect(list.members.find((m: any) => m.did === remote.did)).toMatchObject({ role: "member", active: true });
  });

  test("leaves with a token for leave", async () => {
    expect(await ok(call(A.url, `${NS}.leave`, { token: await mint(`${NS}.leave`), body: { did: community.did } }))).toEqual({ success: true });
    expect(await memberRows(A, community.did)).toEqual([owner.did]);
    const mine = await ok(call(A.url, `${NS}.listMine`, { token: await mint(`${NS}.listMine`), params: {} }));
    expect(mine.communities.map((c: any) => c.did)).not.toContain(community.did);
    const again = await call(A.url, `${NS}.leave`, { token: await mint(`${NS}.leave`), body: { did: community.did } });
    expect(again.status).toBe(404);
    expect(again.body.error).toBe("NotMember");
  });
});

test("REMOTE_MEMBERS_ENABLED=false → service auth on community methods is 401, nothing written", async () => {
  const [remote, owner] = await Promise.all([user(B), user(OFF)]);
  const community = await openCommunity(OFF, owner);
  const mint = async (lxm: string) =>
    (await ok(call(B.url, "com.atproto.server.getServiceAuth", { token: remote.accessJwt, params: { aud: OFF.serviceDid, lxm } }))).token as string;
  const joined = await call(OFF.url, `${NS}.join`, { token: await mint(`${NS}.join`), body: { did: community.did } });
  expect(joined.status).toBe(401);
  expect(joined.body.error).toBe("InvalidToken");
  expect(await memberRows(OFF, community.did)).toEqual([owner.did]);
  const mine = await call(OFF.url, `${NS}.listMine`, { token: await mint(`${NS}.listMine`), params: {} });
  expect(mine.status).toBe(401);
  // local accounts are unaffected
  expect((await call(OFF.url, `${NS}.listMine`, { token: owner.accessJwt, params: {} })).status).toBe(200);
});
