// Attestations on one server (spec 05 §8): issueAttestation, deleteAttestation, listAttestations and local
// verifyAttestation against a real server — claim limits, expiry on the server clock, paging with filters, and every
// refusal with nothing written.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { verifiedRepoRecords, xrpc, ok, type XrpcReply } from "../e2e/_xrpc.ts";
import { NS, setup, type Setup, type User } from "./moderation-setup.ts";

const ATT = `${NS}.attestation`;
const DAY = 86_400_000;
let s: Setup;
let owner: User, mod: User, pete: User, jo: User, outsider: User;
let c: string;

beforeAll(async () => {
  s = await setup();
  [owner, mod, pete, jo, outsider] = (await Promise.all(["ada", "max", "peter", "joan", "otto"].map((n) => s.register(n)))) as [User, User, User, User, User];
  c = await s.community(owner, "vouchers");
  for (const u of [mod, pete, jo]) await s.join(u, c);
  await ok(post(owner, "updateMemberRole", { memberDid: mod.did, roleRkey: "moderator" }));
}, 60_000);
afterAll(async () => {
  await s?.stop();
});

function post(u: User | undefined, method: string, body: Record<string, unknown>) {
  return xrpc(s.pds.url, `${NS}.${method}`, { ...(u ? { token: u.token } : {}), body: { communityDid: c, ...body } });
}
const get = (u: User | undefined, method: string, params: Record<string, string | number | boolean>) =>
  xrpc(s.pds.url, `${NS}.${method}`, { ...(u ? { token: u.token } : {}), params: { communityDid: c, ...params } });
const issue = (u: User, body: Record<string, unknown>) => post(u, "issueAttestation", { subjectDid: pete.did, type: "credential", claim: { skill: "rust" }, ...body });
const audits = async (action: string) => await s.count("SELECT count(*) AS n FROM audit_log WHERE action = ?", action);
const snapshot = async (did = c) => ({
  head: await s.db.query("SELECT commit_cid, rev FROM repo_roots WHERE did = ?").get(did),
  records: await s.db.query("SELECT collection, rkey, cid FROM records WHERE did = ? ORDER BY collection, rkey").all(did),
  projection: await s.db.query("SELECT * FROM community_attestations WHERE community_did = ? ORDER BY rkey").all(did),
  audit: await s.count("SELECT count(*) AS n FROM audit_log"),
});
async function refused(call: () => Promise<XrpcReply>, status: number, error: string, message?: string) {
  const before = await snapshot();
  const r = await call();
  expect({ status: r.status, error: r.body?.error }).toEqual({ status, error });
  if (message) expect(r.body.message).toContain(message);
  expect(await snapshot()).toEqual(before);
}

describe("issueAttestation", () => {
  test("the owner attests a member: a signed record with the subject's current full handle, projection, audit", async () => {
    const before = await audits("community.issueAttestation");
    const out = await ok(issue(owner, { claim: { skill: "rust", level: 3 } }));
    expect(out.uri).toBe(`at://${c}/${ATT}/${out.rkey}`);
    const rec = await ok(xrpc(s.pds.url, "com.atproto.repo.getRecord", { params: { repo: c, collection: ATT, rkey: out.rkey } }));
    expect(rec.cid).toBe(out.cid);
    expect(rec.value).toMatchObject({ $type: ATT, subjectDid: pete.did, subjectHandle: "peter.test", type: "credential", claim: { skill: "rust", level: 3 }, issuedBy: owner.did });
    expect(rec.value.expiresAt).toBeUndefined();
    expect(Date.parse(rec.value.issuedAt)).not.toBeNaN();
    expect((await verifiedRepoRecords(s.pds.url, s.pds.plcUrl, c)).get(`${ATT}/${out.rkey}`)).toBe(out.cid);
    expect(await s.count("SELECT count(*) AS n FROM community_attestations WHERE community_did = ? AND rkey = ?", c, out.rkey)).toBe(1);
    expect(await audits("community.issueAttestation")).toBe(before + 1);
    const meta = JSON.parse(((await s.db.query("SELECT meta FROM audit_log WHERE action = 'community.issueAttestation' ORDER BY id DESC LIMIT 1").get()) as { meta: string }).meta);
    expect(meta).toEqual({ subjectDid: pete.did, type: "credential", rkey: out.rkey });
  });

  test("a moderator (attestation.write) may issue; a plain member → 403 Forbidden; a non-member → 403 NotMember; anonymous → 401", async () => {
    await ok(issue(mod, { type: "membership", claim: {} }));
    await refused(() => issue(jo, {}), 403, "Forbidden", "Insufficient community privileges");
    await refused(() => issue(outsider, {}), 403, "NotMember");
    await refused(() => post(undefined, "issueAttestation", { subjectDid: pete.did, type: "credential", claim: {} }), 401, "AuthRequired");
  });

  test("subject not a member → 404 NotMember; unknown community → 404 NotFound", async () => {
    await refused(() => issue(owner, { subjectDid: outsider.did }), 404, "NotMember");
    await refused(() => issue(owner, { communityDid: "did:plc:nosuchcommunity" }), 404, "NotFound");
  });

  test("claim of 4096 canonical bytes is accepted; 4097 → 400 ClaimTooLarge (keys sorted, no whitespace, UTF-8)", async () => {
    // {"a":"…"} is 8 bytes + the string; a 2-byte character counts twice
    await ok(issue(owner, { claim: { a: "x".repeat(4088) } }));
    await refused(() => issue(owner, { claim: { a: "x".repeat(4089) } }), 400, "ClaimTooLarge");
    await refused(() => issue(owner, { claim: { a: "é".repeat(2045) } }), 400, "ClaimTooLarge");
  });

  test("nesting depth 5 is accepted; depth 6 → 400 InvalidRequest; a non-object claim → 400", async () => {
    await ok(issue(owner, { claim: { a: { b: { c: { d: { e: 1 } } } } } }));
    await refused(() => issue(owner, { claim: { a: { b: { c: { d: { e: { f: 1 } } } } } } }), 400, "InvalidRequest", "depth");
    await refused(() => issue(owner, { claim: { a: [[[[[1]]]]] } }), 400, "InvalidRequest", "depth");
    await refused(() => issue(owner, { claim: [1, 2] }), 400, "InvalidRequest");
    await refused(() => issue(owner, { claim: "text" }), 400, "InvalidRequest");
  });

  test("expiresAt in the past, now-ish, or not a datetime (\"tomorrow\") → 400; unknown type → 400", async () => {
    await refused(() => issue(owner, { expiresAt: "2001-01-01T00:00:00Z" }), 400, "InvalidRequest");
    await refused(() => issue(owner, { expiresAt: "tomorrow" }), 400, "InvalidRequest");
    await refused(() => issue(owner, { expiresAt: "2030-13-01T00:00:00Z" }), 400, "InvalidRequest");
    await refused(() => issue(owner, { type: "friendship" }), 400, "InvalidRequest");
  });
});

describe("listAttestations and local verifyAttestation", () => {
  let d: string;
  let credForJo: string[] = [];
  beforeAll(async () => {
    d = await s.community(owner, "ledger");
    for (const u of [pete, jo]) await s.join(u, d);
    // interleave: jo/credential, pete/credential, jo/role … so filtered pages must skip rows
    for (let i = 0; i < 7; i++) {
      credForJo.push((await ok(post(owner, "issueAttestation", { communityDid: d, subjectDid: jo.did, type: "credential", claim: { i } }))).rkey);
      await ok(post(owner, "issueAttestation", { communityDid: d, subjectDid: pete.did, type: "credential", claim: { i } }));
      await ok(post(owner, "issueAttestation", { communityDid: d, subjectDid: jo.did, type: "role", claim: { i } }));
    }
    credForJo = credForJo.reverse();
  });

  test("subjectDid + type filters return full pages, newest first, no overlap, all of them", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    const sizes: number[] = [];
    do {
      const page = await ok(get(undefined, "listAttestations", { communityDid: d, subjectDid: jo.did, type: "credential", limit: 3, ...(cursor ? { cursor } : {}) }));
      sizes.push(page.attestations.length);
      for (const a of page.attestations) {
        expect(a).toMatchObject({ subjectDid: jo.did, subjectHandle: "joan.test", type: "credential", issuedBy: owner.did, expired: false });
        seen.push(a.rkey);
      }
      cursor = page.cursor;
    } while (cursor);
    expect(sizes).toEqual([3, 3, 1]);
    expect(seen).toEqual(credForJo);
    const all = await ok(get(undefined, "listAttestations", { communityDid: d, limit: 100 }));
    expect(all.attestations).toHaveLength(21);
    const rk = all.attestations.map((a: any) => a.rkey);
    expect(rk).toEqual([...rk].sort().reverse());
  });

  test("verify: unknown rkey → valid:false not_found (200); bad rkey → 400", async () => {
    expect(await ok(get(undefined, "verifyAttestation", { communityDid: d, rkey: "3kzzzzzzzzzzz" }))).toMatchObject({ valid: false, reason: "not_found", remote: false });
    const r = await get(undefined, "verifyAttestation", { communityDid: d, rkey: "a/b" });
    expect({ status: r.status, error: r.body.error }).toEqual({ status: 400, error: "InvalidRequest" });
  });
});

describe("deleteAttestation", () => {
  let rkey: string;
  beforeAll(async () => {
    rkey = (await ok(issue(owner, { claim: { revoke: "me" } }))).rkey;
  });

  test("missing → 404 AttestationNotFound; reason over 1000 → 400; plain member → 403; non-member → 403 NotMember", async () => {
    await refused(() => post(owner, "deleteAttestation", { rkey: "3kzzzzzzzzzzz" }), 404, "AttestationNotFound");
    await refused(() => post(owner, "deleteAttestation", { rkey, reason: "r".repeat(1001) }), 400, "InvalidRequest");
    await refused(() => post(jo, "deleteAttestation", { rkey }), 403, "Forbidden");
    await refused(() => post(outsider, "deleteAttestation", { rkey }), 403, "NotMember");
  });

  test("a moderator revokes: a signed delete, the audit row holds the reason, verify → not_found; again → 404", async () => {
    expect((await ok(get(undefined, "verifyAttestation", { rkey }))).valid).toBe(true);
    expect(await ok(post(mod, "deleteAttestation", { rkey, reason: "issued in error" }))).toEqual({ success: true });
    expect((await verifiedRepoRecords(s.pds.url, s.pds.plcUrl, c)).has(`${ATT}/${rkey}`)).toBe(false);
    const row = (await s.db.query("SELECT actor_did AS a, meta FROM audit_log WHERE action = 'community.deleteAttestation' ORDER BY id DESC LIMIT 1").get()) as { a: string; meta: string };
    expect(row.a).toBe(mod.did);
    expect(JSON.parse(row.meta)).toEqual({ rkey, subjectDid: pete.did, type: "credential", reason: "issued in error" });
    expect(await ok(get(undefined, "verifyAttestation", { rkey }))).toMatchObject({ valid: false, reason: "not_found" });
    expect(await s.count("SELECT count(*) AS n FROM community_attestations WHERE community_did = ? AND rkey = ?", c, rkey)).toBe(0);
    await refused(() => post(owner, "deleteAttestation", { rkey }), 404, "AttestationNotFound");
  });
});

describe("races", () => {
  test("two concurrent revocations of one attestation: one 200, one 404 AttestationNotFound, one audit row", async () => {
    const a = await ok(issue(owner, { claim: { twice: true } }));
    const before = await audits("community.deleteAttestation");
    const replies = await Promise.all([post(owner, "deleteAttestation", { rkey: a.rkey }), post(mod, "deleteAttestation", { rkey: a.rkey })]);
    expect(replies.map((r) => r.status).sort()).toEqual([200, 404]);
    expect(replies.find((r) => r.status === 404)!.body.error).toBe("AttestationNotFound");
    expect(await audits("community.deleteAttestation")).toBe(before + 1);
  });
});

describe("private and suspended communities", () => {
  test("private: verify by a non-member → community_private without details; list → 403 CommunityPrivate; a member sees both", async () => {
    const p = await s.community(owner, "secretclub", { visibility: "private" });
    const a = await ok(post(owner, "issueAttestation", { communityDid: p, subjectDid: owner.did, type: "role", claim: { role: "founder" } }));
    const v = await ok(get(outsider, "verifyAttestation", { communityDid: p, rkey: a.rkey }));
    expect(v).toEqual({ valid: false, reason: "community_private", expired: false, remote: false, communityDid: p, communityHandle: "secretclub.test", communityStatus: "active" });
    const l = await get(outsider, "listAttestations", { communityDid: p });
    expect({ status: l.status, error: l.body.error }).toEqual({ status: 403, error: "CommunityPrivate" });
    expect((await ok(get(owner, "verifyAttestation", { communityDid: p, rkey: a.rkey }))).valid).toBe(true);
    expect((await ok(get(owner, "listAttestations", { communityDid: p }))).attestations).toHaveLength(1);
  });

  test("takendown: verify → community_takendown (no details); list → 410 for others, the owner still reads", async () => {
    const x = await s.community(owner, "gone");
    const a = await ok(post(owner, "issueAttestation", { communityDid: x, subjectDid: owner.did, type: "membership", claim: {} }));
    expect((await xrpc(s.pds.url, `${NS}.export`, { token: owner.token, params: { did: x } })).status).toBe(200);
    await ok(xrpc(s.pds.url, `${NS}.takedown`, { token: s.admin.token, body: { did: x } }));
    const v = await ok(get(outsider, "verifyAttestation", { communityDid: x, rkey: a.rkey }));
    expect(v).toEqual({ valid: false, reason: "community_takendown", expired: false, remote: false, communityDid: x, communityHandle: "gone.test", communityStatus: "takendown" });
    expect((await ok(get(owner, "verifyAttestation", { communityDid: x, rkey: a.rkey }))).reason).toBe("community_takendown");
    const l = await get(outsider, "listAttestations", { communityDid: x });
    expect({ status: l.status, error: l.body.error }).toEqual({ status: 410, error: "CommunityTakenDown" });
    expect((await ok(get(owner, "listAttestations", { communityDid: x }))).attestations).toHaveLength(1);
    const before = await snapshot(x);
    const r = await post(owner, "issueAttestation", { communityDid: x, subjectDid: owner.did, type: "membership", claim: {} });
    expect({ status: r.status, error: r.body.error }).toEqual({ status: 410, error: "CommunityTakenDown" });
    expect(await snapshot(x)).toEqual(before);
  });

  test("suspended: issue and delete → 403 CommunitySuspended, nothing written", async () => {
    const x = await s.community(owner, "frozen");
    const a = await ok(post(owner, "issueAttestation", { communityDid: x, subjectDid: owner.did, type: "membership", claim: {} }));
    await ok(xrpc(s.pds.url, `${NS}.suspend`, { token: s.admin.token, body: { did: x } }));
    const before = await snapshot(x);
    for (const r of [
      await post(owner, "issueAttestation", { communityDid: x, subjectDid: owner.did, type: "membership", claim: {} }),
      await post(owner, "deleteAttestation", { communityDid: x, rkey: a.rkey }),
    ]) expect({ status: r.status, error: r.body.error }).toEqual({ status: 403, error: "CommunitySuspended" });
    expect(await snapshot(x)).toEqual(before);
  });
});

describe("under simple-majority (05 §4): attestations are protected by default", () => {
  test("issue and delete → 403 GovernanceDenied {requiresProposal, targetCollection}, nothing written; reads answer", async () => {
    const g = await s.community(owner, "senate");
    const a = await ok(post(owner, "issueAttestation", { communityDid: g, subjectDid: owner.did, type: "role", claim: { role: "chair" } }));
    await ok(post(owner, "setGovernanceModel", { communityDid: g, governanceModel: "simple-majority" }));
    for (const call of [
      () => post(owner, "issueAttestation", { communityDid: g, subjectDid: owner.did, type: "role", claim: {} }),
      () => post(owner, "deleteAttestation", { communityDid: g, rkey: a.rkey }),
    ]) {
      const before = await snapshot(g);
      const r = await call();
      expect({ status: r.status, error: r.body.error, requiresProposal: r.body.requiresProposal, targetCollection: r.body.targetCollection })
        .toEqual({ status: 403, error: "GovernanceDenied", requiresProposal: true, targetCollection: ATT });
      expect(await snapshot(g)).toEqual(before);
    }
    expect((await ok(get(undefined, "verifyAttestation", { communityDid: g, rkey: a.rkey }))).valid).toBe(true);
    expect((await ok(get(undefined, "listAttestations", { communityDid: g }))).attestations).toHaveLength(1);
  });
});

// last: moving the server clock two days ahead also expires every session token of this suite
describe("expiry on the server clock", () => {
  let e: string;
  beforeAll(async () => {
    e = await s.community(owner, "later");
    await s.join(pete, e);
  });

  test("includeExpired=false hides attestations past expiresAt on the server clock; verify says expired", async () => {
    const soon = new Date(Date.now() + DAY).toISOString();
    const a = await ok(post(owner, "issueAttestation", { communityDid: e, subjectDid: pete.did, type: "membership", claim: {}, expiresAt: soon }));
    let v = await ok(get(undefined, "verifyAttestation", { communityDid: e, rkey: a.rkey }));
    expect(v).toMatchObject({ valid: true, expired: false, remote: false, communityDid: e, communityHandle: "later.test", communityStatus: "active" });
    expect(v.attestation).toMatchObject({ rkey: a.rkey, cid: a.cid, expiresAt: soon });
    const head = (await s.db.query("SELECT commit_cid AS cid, rev FROM repo_roots WHERE did = ?").get(e)) as { cid: string; rev: string };
    expect(v.proof).toMatchObject({ commitCid: head.cid, rev: head.rev });
    s.pds.advanceClock(2 * DAY);
    v = await ok(get(undefined, "verifyAttestation", { communityDid: e, rkey: a.rkey }));
    expect(v).toMatchObject({ valid: false, reason: "expired", expired: true });
    const live = await ok(get(undefined, "listAttestations", { communityDid: e, subjectDid: pete.did, type: "membership", includeExpired: false }));
    expect(live.attestations).toEqual([]);
    const every = await ok(get(undefined, "listAttestations", { communityDid: e, subjectDid: pete.did, type: "membership" }));
    expect(every.attestations.map((x: any) => [x.rkey, x.expired])).toEqual([[a.rkey, true]]);
  });
});

test("no handler answered with an error name its lexicon does not declare, nor an invalid output", () => {
  expect(s.pds.logs()).not.toContain("does not declare");
  expect(s.pds.logs()).not.toContain("does not match its lexicon");
  expect(s.pds.logs()).not.toContain("InternalServerError");
});
