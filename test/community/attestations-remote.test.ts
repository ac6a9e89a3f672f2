// Remote attestation verification (spec 05 §8) between real servers sharing one `ofpds plc`: an attestation issued on
// A verifies from B by signature and MST proof, stays cached 5 minutes on B's clock, and fails once revoked. Fake
// REMOTE PDSes (small Bun.serve answering getRecord with CARs built by @atproto/repo) prove that a forged answer
// (wrong key) is `signature_invalid`; C, a server that refuses private addresses, gives `fetch_failed` without
// connecting. A remote member (04 §9) can be attested.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Secp256k1Keypair, type Keypair } from "@atproto/crypto";
import { MemoryBlockstore, Repo, WriteOpAction, blocksToCarFile } from "@atproto/repo";
import { call, ok, PASSWORD, register, startEnv, uniq, type Env } from "../account/_support.ts";
import { freePort, spawnOfpds, tempDirs, waitFor } from "../_support/process.ts";
import { createTestDid } from "../lifecycle/_support.ts";

const NS = "net.openfederation.community";
const ATT = `${NS}.attestation`;
const dir = tempDirs("ofpds-attest-remote-");
let plc: ReturnType<typeof spawnOfpds>;
let plcUrl: string;
let A: Env, B: Env, C: Env;

beforeAll(async () => {
  const port = await freePort();
  plc = spawnOfpds(["plc", "--port", String(port), "--data-dir", dir()]);
  plcUrl = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${plcUrl}/_health`)).ok, 20_000, "ofpds plc");
  const base = { PLC_URL: plcUrl, APPROVAL_REQUIRED: "false" };
  [A, B, C] = await Promise.all([startEnv(base), startEnv(base), startEnv({ ...base, ALLOW_PRIVATE_NETWORK_FETCH: "false" })]);
}, 60_000);

afterAll(async () => {
  await Promise.all([A?.stop(), B?.stop(), C?.stop()]);
  plc?.proc.kill("SIGTERM");
  await plc?.proc.exited;
});

async function user(e: Env) {
  const name = uniq("u");
  const reg = await register(e, name);
  const s = await ok(call(e.url, "com.atproto.server.createSession", { body: { identifier: name, password: PASSWORD } }));
  return { did: reg.did as string, accessJwt: s.accessJwt as string, handle: `${name}.test` };
}
const verify = (e: Env, communityDid: string, rkey: string) => ok(call(e.url, `${NS}.verifyAttestation`, { params: { communityDid, rkey } }));
const MIN = 60_000;

/** A fake remote PDS: answers getRecord with whatever `answer` gives, counting the requests it receives. */
function fakePds(answer: (url: URL) => Response | Promise<Response>) {
  let hits = 0;
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req) => (hits++, answer(new URL(req.url))) });
  return { url: `http://127.0.0.1:${server.port}`, hits: () => hits, stop: () => server.stop(true) };
}

/** A repo CAR for `did` holding one attestation at `rkey`, signed by `key` (the right one or not). */
async function attestationCar(did: string, key: Keypair, rkey: string, record: Record<string, unknown>): Promise<Uint8Array> {
  const storage = new MemoryBlockstore();
  const repo = await Repo.create(storage, did, key, [{ action: WriteOpAction.Create, collection: ATT, rkey, record: record as never }]);
  return blocksToCarFile(repo.cid, storage.blocks);
}
const carResponse = (bytes: Uint8Array) => new Response(new Uint8Array(bytes).buffer as ArrayBuffer, { headers: { "content-type": "application/vnd.ipld.car" } });
const record = (subjectDid: string) => ({
  $type: ATT, subjectDid, subjectHandle: "someone.example.com", type: "credential", claim: { forged: true },
  issuedAt: new Date().toISOString(), issuedBy: subjectDid,
});

describe("an attestation issued on A, verified from B", () => {
  let owner: Awaited<ReturnType<typeof user>>;
  let member: Awaited<ReturnType<typeof user>>;
  let community: string;
  let issued: { uri: string; cid: string; rkey: string };

  beforeAll(async () => {
    [owner, member] = await Promise.all([user(A), user(A)]);
    community = (await ok(call(A.url, `${NS}.create`, { token: owner.accessJwt, body: { handle: uniq("guild"), didMethod: "plc" } }))).did;
    await ok(call(A.url, `${NS}.join`, { token: member.accessJwt, body: { did: community } }));
    issued = await ok(call(A.url, `${NS}.issueAttestation`, { token: owner.accessJwt, body: { communityDid: community, subjectDid: member.did, type: "credential", claim: { course: "first aid" } } }));
  });

  test("B: valid:true, remote:true, proof = A's current commit, pdsUrl from the DID document", async () => {
    const v = await verify(B, community, issued.rkey);
    const head = (await A.sql<{ commit_cid: string; rev: string }>("SELECT commit_cid, rev FROM repo_roots WHERE did = ?", community))[0]!;
    expect(v).toMatchObject({ valid: true, expired: false, remote: true, communityDid: community, pdsUrl: `http://localhost:${A.pds.port}` });
    expect(v.reason).toBeUndefined();
    expect(v.proof).toMatchObject({ commitCid: head.commit_cid, rev: head.rev });
    expect(v.attestation).toMatchObject({ rkey: issued.rkey, cid: issued.cid, subjectDid: member.did, subjectHandle: member.handle, type: "credential", claim: { course: "first aid" }, issuedBy: owner.did });
    // A answers for its own community locally (remote:false) with the same commit
    expect(await verify(A, community, issued.rkey)).toMatchObject({ valid: true, remote: false, proof: { commitCid: head.commit_cid } });
  });

  test("revoked on A: B keeps its cached answer for 5 minutes of its clock, then says not_found", async () => {
    await ok(call(A.url, `${NS}.deleteAttestation`, { token: owner.accessJwt, body: { communityDid: community, rkey: issued.rkey, reason: "expired course" } }));
    expect((await verify(A, community, issued.rkey)).reason).toBe("not_found");
    expect((await verify(B, community, issued.rkey)).valid).toBe(true);
    B.pds.advanceClock(5 * MIN + 1000);
    const v = await verify(B, community, issued.rkey);
    expect(v).toMatchObject({ valid: false, reason: "not_found", remote: true });
    expect(v.attestation).toBeUndefined();
  });

  test("a private community on A: B (not a member) gets community_private, no details", async () => {
    const p = (await ok(call(A.url, `${NS}.create`, { token: owner.accessJwt, body: { handle: uniq("hush"), didMethod: "plc", visibility: "private" } }))).did;
    const a = await ok(call(A.url, `${NS}.issueAttestation`, { token: owner.accessJwt, body: { communityDid: p, subjectDid: owner.did, type: "role", claim: {} } }));
    const v = await verify(B, p, a.rkey);
    expect(v).toMatchObject({ valid: false, reason: "community_private", remote: true, communityDid: p });
    expect(v.attestation).toBeUndefined();
  });

  test("an unknown rkey → not_found; an unknown DID → resolution_failed (both 200)", async () => {
    expect(await verify(B, community, "3kaaaaaaaaaaa")).toMatchObject({ valid: false, reason: "not_found", remote: true });
    expect(await verify(B, "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", "3kaaaaaaaaaaa")).toMatchObject({ valid: false, reason: "resolution_failed", remote: true });
  });

  test("a remote member (account on B, service auth) can be attested on A and verified from B, and as a moderator issues and revokes", async () => {
    const remote = await user(B);
    const { token } = await ok(call(B.url, "com.atproto.server.getServiceAuth", { token: remote.accessJwt, params: { aud: A.serviceDid, lxm: `${NS}.join` } }));
    await ok(call(A.url, `${NS}.join`, { token, body: { did: community } }));
    const a = await ok(call(A.url, `${NS}.issueAttestation`, { token: owner.accessJwt, body: { communityDid: community, subjectDid: remote.did, type: "membership", claim: { since: "2026" } } }));
    const listed = await ok(call(A.url, `${NS}.listMembers`, { params: { did: community } }));
    const handle = listed.members.find((m: any) => m.did === remote.did).handle;
    const v = await verify(B, community, a.rkey);
    expect(v).toMatchObject({ valid: true, remote: true, attestation: { subjectDid: remote.did, subjectHandle: handle, type: "membership" } });
    // as a moderator, the remote member issues and revokes through service auth (lxm = the method), on A's repo
    await ok(call(A.url, `${NS}.updateMemberRole`, { token: owner.accessJwt, body: { communityDid: community, memberDid: remote.did, roleRkey: "moderator" } }));
    const mint = async (lxm: string) => (await ok(call(B.url, "com.atproto.server.getServiceAuth", { token: remote.accessJwt, params: { aud: A.serviceDid, lxm } }))).token as string;
    const byRemote = await ok(call(A.url, `${NS}.issueAttestation`, { token: await mint(`${NS}.issueAttestation`), body: { communityDid: community, subjectDid: member.did, type: "role", claim: { by: "remote" } } }));
    expect((await verify(A, community, byRemote.rkey)).attestation).toMatchObject({ issuedBy: remote.did, subjectDid: member.did });
    const audit = await A.sql<{ actor_did: string }>("SELECT actor_did FROM audit_log WHERE action = 'community.issueAttestation' AND target_id = ?", byRemote.rkey);
    expect(audit).toEqual([{ actor_did: remote.did }]);
    // a token minted for another method is refused, nothing written
    const before = await A.sql("SELECT rev FROM repo_roots WHERE did = ?", community);
    const wrong = await call(A.url, `${NS}.deleteAttestation`, { token: await mint(`${NS}.issueAttestation`), body: { communityDid: community, rkey: byRemote.rkey } });
    expect({ status: wrong.status, error: wrong.body.error }).toEqual({ status: 401, error: "InvalidToken" });
    expect(await A.sql("SELECT rev FROM repo_roots WHERE did = ?", community)).toEqual(before);
    await ok(call(A.url, `${NS}.deleteAttestation`, { token: await mint(`${NS}.deleteAttestation`), body: { communityDid: community, rkey: byRemote.rkey, reason: "test" } }));
    expect((await verify(A, community, byRemote.rkey)).reason).toBe("not_found");
  });
});

describe("forged and unreachable remotes", () => {
  const fakes: Array<{ stop(): void }> = [];
  afterAll(() => fakes.forEach((f) => f.stop()));

  /** a DID on the shared PLC whose #atproto_pds is `pds` and whose #atproto key the test holds */
  const didAt = (pds: string) => createTestDid(plcUrl, { pds });

  test("a fake PDS signing with the wrong key → signature_invalid; the same answer signed with the DID's key → valid (control)", async () => {
    let signer: Keypair | undefined;
    let did = "";
    const fake = fakePds(async (url) => carResponse(await attestationCar(did, signer!, url.searchParams.get("rkey")!, record(did))));
    fakes.push(fake);
    const t = await didAt(fake.url);
    did = t.did;
    signer = await Secp256k1Keypair.create();
    const forged = await verify(B, did, "3kforgedforge");
    expect(forged).toMatchObject({ valid: false, reason: "signature_invalid", remote: true, communityDid: did, pdsUrl: fake.url });
    expect(forged.attestation).toBeUndefined();
    expect(fake.hits()).toBe(1);
    signer = t.signing;
    expect(await verify(B, did, "3kgenuinegenu")).toMatchObject({ valid: true, remote: true, attestation: { claim: { forged: true } } });
  });

  test("a correctly signed tree without the key → not_found; RecordNotFound → not_found; garbage → signature_invalid; 500 → fetch_failed", async () => {
    let t: Awaited<ReturnType<typeof didAt>>;
    const fake = fakePds(async (url) => {
      const rkey = url.searchParams.get("rkey")!;
      if (rkey === "3kotherrkeyyy") return carResponse(await attestationCar(t.did, t.signing, "3kelsewhereee", record(t.did)));
      if (rkey === "3kmissingmiss") return Response.json({ error: "RecordNotFound", message: "Could not locate record" }, { status: 400 });
      if (rkey === "3kgarbagegarb") return carResponse(new TextEncoder().encode("not a car"));
      return new Response("boom", { status: 500 });
    });
    fakes.push(fake);
    t = await didAt(fake.url);
    expect(await verify(B, t.did, "3kotherrkeyyy")).toMatchObject({ valid: false, reason: "not_found" });
    expect(await verify(B, t.did, "3kmissingmiss")).toMatchObject({ valid: false, reason: "not_found" });
    expect(await verify(B, t.did, "3kgarbagegarb")).toMatchObject({ valid: false, reason: "signature_invalid" });
    expect(await verify(B, t.did, "3kservererror")).toMatchObject({ valid: false, reason: "fetch_failed" });
  });

  test("a signed record that is not a valid attestation (lexicon) → valid:false", async () => {
    let t: Awaited<ReturnType<typeof didAt>>;
    const fake = fakePds(async (url) => carResponse(await attestationCar(t.did, t.signing, url.searchParams.get("rkey")!, { ...record(t.did), type: 42 })));
    fakes.push(fake);
    t = await didAt(fake.url);
    const v = await verify(B, t.did, "3kbadrecordrr");
    expect(v.valid).toBe(false);
    expect(v.reason).toBe("not_found");
  });

  test("an unreachable PDS → fetch_failed", async () => {
    const t = await didAt(`http://127.0.0.1:${await freePort()}`);
    expect(await verify(B, t.did, "3kaaaaaaaaaaa")).toMatchObject({ valid: false, reason: "fetch_failed", remote: true });
  });

  test("private addresses on a server that refuses them (C): 10.0.0.1 and loopback → fetch_failed, no connection made", async () => {
    const t = await didAt("https://10.0.0.1");
    expect(await verify(C, t.did, "3kaaaaaaaaaaa")).toMatchObject({ valid: false, reason: "fetch_failed", remote: true, pdsUrl: "https://10.0.0.1" });
    let signing: Keypair;
    let did = "";
    const fake = fakePds(async (url) => carResponse(await attestationCar(did, signing, url.searchParams.get("rkey")!, record(did))));
    fakes.push(fake);
    const l = await didAt(fake.url);
    did = l.did;
    signing = l.signing;
    expect(await verify(C, l.did, "3kaaaaaaaaaaa")).toMatchObject({ valid: false, reason: "fetch_failed" });
    expect(fake.hits()).toBe(0);
    // the same DID from B (development: private fetch allowed) is valid: C refused the address, not the answer
    expect((await verify(B, l.did, "3kaaaaaaaaaaa")).valid).toBe(true);
    expect(fake.hits()).toBe(1);
  });
});

test("no server answered with an undeclared error name or an invalid output, and none failed internally", () => {
  for (const e of [A, B, C]) {
    expect(e.pds.logs()).not.toContain("does not declare");
    expect(e.pds.logs()).not.toContain("does not match its lexicon");
    expect(e.pds.logs()).not.toContain("InternalServerError");
  }
});
