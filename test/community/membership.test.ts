// Community membership (spec 04 §5, 05 §2) against a real server: join, leave, listMembers, listJoinRequests,
// resolveJoinRequest, removeMember — every refusal with its exact status and error, and nothing written.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { verifiedRepoRecords, xrpc, ok, type XrpcReply } from "../e2e/_xrpc.ts";
import { NS, setup, type Setup, type User } from "./moderation-setup.ts";
import { sideWriter, type SideWriter } from "./membership-setup.ts";

const MEMBER = `${NS}.member`;
const DELEGATION = `${NS}.delegation`;
let s: Setup;
let side: SideWriter;
let owner: User, mod: User, pete: User, jon: User, rita: User, sam: User, nina: User;

beforeAll(async () => {
  s = await setup();
  side = await sideWriter(s.pds.dataDir);
  [owner, mod, pete, jon, rita, sam, nina] = (await Promise.all(["olive", "moe", "pete", "jon", "rita", "sam", "nina"].map((n) => s.register(n)))) as [User, User, User, User, User, User, User];
});
afterAll(async () => {
  await side?.close();
  await s?.stop();
});

const post = (u: User | undefined, method: string, body: unknown) => xrpc(s.pds.url, `${NS}.${method}`, { ...(u ? { token: u.token } : {}), body });
const get = (u: User | undefined, method: string, params: Record<string, string | number>) => xrpc(s.pds.url, `${NS}.${method}`, { ...(u ? { token: u.token } : {}), params });
const memberRows = async (c: string) => await s.db.query("SELECT member_did AS d, role_rkey AS r FROM community_members WHERE community_did = ? ORDER BY member_did").all(c);
const memberRecords = async (c: string) => await s.count("SELECT count(*) AS n FROM records WHERE did = ? AND collection = ?", c, MEMBER);
const requests = async (c: string) => await s.db.query("SELECT id, did, status, resolved_by FROM join_requests WHERE community_did = ? ORDER BY did").all(c);
const audits = async (action: string) => await s.count("SELECT count(*) AS n FROM audit_log WHERE action = ?", action);
/** everything a refused call must leave unchanged */
const snapshot = async (c: string) => ({
  head: await s.db.query("SELECT commit_cid FROM repo_roots WHERE did = ?").get(c),
  members: await memberRows(c),
  records: await s.db.query("SELECT collection, rkey, cid FROM records WHERE did = ? ORDER BY collection, rkey").all(c),
  requests: await requests(c),
  audit: await s.count("SELECT count(*) AS n FROM audit_log"),
});
function expectError(r: XrpcReply, status: number, error: string) {
  expect({ status: r.status, error: r.body?.error }).toEqual({ status, error });
}
async function refused(c: string, call: () => Promise<XrpcReply>, status: number, error: string) {
  const before = await snapshot(c);
  expectError(await call(), status, error);
  expect(await snapshot(c)).toEqual(before);
}
async function setAccountStatus(did: string, status: string) {
  await s.db.run("UPDATE accounts SET status = ? WHERE did = ?", [status, did]);
}
const pendingId = async (c: string, did: string) => (await ok(get(owner, "listJoinRequests", { did: c }))).requests.find((r: any) => r.did === did)?.id as string;

describe("join (open)", () => {
  let c: string;
  beforeAll(async () => {
    c = await s.community(owner, "openers");
  });

  test("joined: a real member record (roleRkey member, handle at join time) and the projection; audited", async () => {
    const before = await audits("community.join");
    expect(await ok(post(pete, "join", { did: c }))).toEqual({ status: "joined" });
    const rec = await ok(xrpc(s.pds.url, "com.atproto.repo.getRecord", { params: { repo: c, collection: MEMBER, rkey: pete.did } }));
    expect(rec.value).toMatchObject({ $type: MEMBER, did: pete.did, handle: "pete.test", roleRkey: "member" });
    expect(Date.parse(rec.value.joinedAt)).not.toBeNaN();
    expect(await memberRows(c)).toContainEqual({ d: pete.did, r: "member" });
    expect(await audits("community.join")).toBe(before + 1);
    const g = await ok(get(pete, "get", { did: "openers" }));
    expect(g).toMatchObject({ isMember: true, memberCount: 2, myMembership: { role: "member", roleRkey: "member" } });
  });

  test("by handle works too; a second join → 409 AlreadyMember, nothing written", async () => {
    await refused(c, () => post(pete, "join", { did: "openers.test" }), 409, "AlreadyMember");
    await refused(c, () => post(owner, "join", { did: c }), 409, "AlreadyMember");
  });

  test("bad inputs: unknown community 404, missing did 400, anonymous 401, undeclared field 400", async () => {
    await refused(c, () => post(jon, "join", { did: "did:plc:nobodyhere" }), 404, "NotFound");
    await refused(c, () => post(jon, "join", { did: "nosuchcommunity" }), 404, "NotFound");
    await refused(c, () => post(jon, "join", {}), 400, "InvalidRequest");
    await refused(c, () => post(undefined, "join", { did: c }), 401, "AuthRequired");
    await refused(c, () => post(jon, "join", { did: c, role: "owner" }), 400, "InvalidRequest");
  });

  test("concurrent joins by one account → one member record", async () => {
    const replies = await Promise.all([post(jon, "join", { did: c }), post(jon, "join", { did: c })]);
    expect(replies.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(replies.find((r) => r.status === 409)!.body.error).toBe("AlreadyMember");
    expect(await s.count("SELECT count(*) AS n FROM records WHERE did = ? AND collection = ? AND rkey = ?", c, MEMBER, jon.did)).toBe(1);
  });
});

describe("join (approval) and join requests", () => {
  let c: string;
  beforeAll(async () => {
    c = await s.community(owner, "approvers", { joinPolicy: "approval" });
    await ok(post(mod, "join", { did: c })); // pending, approved below to make mod a member first
    await ok(post(owner, "resolveJoinRequest", { requestId: await pendingId(c, mod.did), action: "approve" }));
    await side.setRole(c, mod.did, "moderator");
    await ok(post(pete, "join", { did: c }));
    await ok(post(owner, "resolveJoinRequest", { requestId: await pendingId(c, pete.did), action: "approve" }));
  });

  test("pending: a request row, no member record; a second join → 409 AlreadyRequested", async () => {
    const records = await memberRecords(c);
    expect(await ok(post(jon, "join", { did: c }))).toEqual({ status: "pending" });
    expect(await memberRecords(c)).toBe(records);
    expect(await requests(c)).toContainEqual(expect.objectContaining({ did: jon.did, status: "pending" }));
    expect((await ok(get(jon, "get", { did: c }))).joinRequestStatus).toBe("pending");
    await refused(c, () => post(jon, "join", { did: c }), 409, "AlreadyRequested");
  });

  test("listJoinRequests: member.write holders only; pending by default, oldest first, current handles, total", async () => {
    await ok(post(rita, "join", { did: c }));
    const list = await ok(get(mod, "listJoinRequests", { did: c }));
    expect(list.total).toBe(2);
    expect(list.requests.map((r: any) => r.handle)).toEqual(["jon.test", "rita.test"]);
    expect(list.requests[0]).toEqual({ id: expect.any(String), did: jon.did, handle: "jon.test", status: "pending", createdAt: expect.any(String) });
    const page1 = await ok(get(owner, "listJoinRequests", { did: c, limit: 1 }));
    expect(page1.requests).toHaveLength(1);
    const page2 = await ok(get(owner, "listJoinRequests", { did: c, limit: 1, cursor: page1.cursor }));
    expect(page2.requests.map((r: any) => r.did)).toEqual([rita.did]);
    expect(page2.cursor).toBeUndefined();
    expect((await ok(get(owner, "listJoinRequests", { did: c, status: "approved" }))).requests.map((r: any) => r.did).sort()).toEqual([mod.did, pete.did].sort());
    expectError(await get(pete, "listJoinRequests", { did: c }), 403, "Forbidden");
    expectError(await get(sam, "listJoinRequests", { did: c }), 403, "NotMember");
    expectError(await get(undefined, "listJoinRequests", { did: c }), 401, "AuthRequired");
    expectError(await get(owner, "listJoinRequests", { did: c, status: "maybe" }), 400, "InvalidRequest");
    expectError(await get(owner, "listJoinRequests", { did: c, cursor: "!!" }), 400, "InvalidRequest");
    expectError(await get(owner, "listJoinRequests", { did: "nosuch" }), 404, "NotFound");
  });

  test("resolveJoinRequest refusals: unknown id 404, plain member 403 Forbidden, outsider 403 NotMember, bad action 400", async () => {
    const id = await pendingId(c, jon.did);
    await refused(c, () => post(owner, "resolveJoinRequest", { requestId: "nope", action: "approve" }), 404, "NotFound");
    await refused(c, () => post(pete, "resolveJoinRequest", { requestId: id, action: "approve" }), 403, "Forbidden");
    await refused(c, () => post(sam, "resolveJoinRequest", { requestId: id, action: "reject" }), 403, "NotMember");
    await refused(c, () => post(owner, "resolveJoinRequest", { requestId: id, action: "maybe" }), 400, "InvalidRequest");
    await refused(c, () => post(owner, "resolveJoinRequest", { requestId: id }), 400, "InvalidRequest");
  });

  test("reject → rejected (audited, resolvedBy); again → 400 AlreadyResolved; joining again → pending with a new id", async () => {
    const id = await pendingId(c, jon.did);
    const before = await audits("join_request.reject");
    expect(await ok(post(mod, "resolveJoinRequest", { requestId: id, action: "reject" }))).toEqual({ status: "rejected" });
    expect(await audits("join_request.reject")).toBe(before + 1);
    expect(await requests(c)).toContainEqual({ id, did: jon.did, status: "rejected", resolved_by: mod.did });
    await refused(c, () => post(owner, "resolveJoinRequest", { requestId: id, action: "approve" }), 400, "AlreadyResolved");
    expect(await ok(post(jon, "join", { did: c }))).toEqual({ status: "pending" });
    const again = await pendingId(c, jon.did);
    expect(again).not.toBe(id);
  });

  test("requester no longer active → 400 InvalidRequest, the request stays pending", async () => {
    const id = await pendingId(c, rita.did);
    await setAccountStatus(rita.did, "suspended");
    try {
      await refused(c, () => post(owner, "resolveJoinRequest", { requestId: id, action: "approve" }), 400, "InvalidRequest");
      expect(await requests(c)).toContainEqual(expect.objectContaining({ id, status: "pending" }));
    } finally {
      await setAccountStatus(rita.did, "approved");
    }
  });

  test("approve twice concurrently → one member record, one 400 AlreadyResolved", async () => {
    const id = await pendingId(c, jon.did);
    const before = await audits("join_request.approve");
    const replies = await Promise.all([
      post(owner, "resolveJoinRequest", { requestId: id, action: "approve" }),
      post(mod, "resolveJoinRequest", { requestId: id, action: "approve" }),
    ]);
    expect(replies.map((r) => r.status).sort()).toEqual([200, 400]);
    expect(replies.find((r) => r.status === 200)!.body).toEqual({ status: "approved" });
    expect(replies.find((r) => r.status === 400)!.body.error).toBe("AlreadyResolved");
    expect(await s.count("SELECT count(*) AS n FROM records WHERE did = ? AND collection = ? AND rkey = ?", c, MEMBER, jon.did)).toBe(1);
    expect(await memberRows(c)).toContainEqual({ d: jon.did, r: "member" });
    expect(await audits("join_request.approve")).toBe(before + 1);
  });

  test("approve + reject concurrently → exactly one wins", async () => {
    const id = await pendingId(c, rita.did);
    const replies = await Promise.all([
      post(owner, "resolveJoinRequest", { requestId: id, action: "approve" }),
      post(mod, "resolveJoinRequest", { requestId: id, action: "reject" }),
    ]);
    expect(replies.map((r) => r.status).sort()).toEqual([200, 400]);
    const won = replies.find((r) => r.status === 200)!.body.status;
    expect((await memberRows(c)).some((m: any) => m.d === rita.did)).toBe(won === "approved");
  });
});

describe("private community", () => {
  let c: string;
  beforeAll(async () => {
    c = await s.community(owner, "hidden", { visibility: "private" });
  });

  test("join is always approval (pending)", async () => {
    expect(await ok(post(pete, "join", { did: c }))).toEqual({ status: "pending" });
    await ok(post(owner, "resolveJoinRequest", { requestId: await pendingId(c, pete.did), action: "approve" }));
  });

  test("listMembers: anonymous and non-members → 403 CommunityPrivate; members (member.read) and staff → served", async () => {
    expectError(await get(undefined, "listMembers", { did: c }), 403, "CommunityPrivate");
    expectError(await get(sam, "listMembers", { did: c }), 403, "CommunityPrivate");
    const list = await ok(get(pete, "listMembers", { did: c }));
    expect(list.members.map((m: any) => m.did)).toEqual([owner.did, pete.did]);
    expect(list.total).toBe(2);
    expect((await ok(get(s.admin, "listMembers", { did: c }))).total).toBe(2);
  });
});

describe("listMembers", () => {
  let c: string;
  beforeAll(async () => {
    c = await s.community(owner, "listers");
    for (const u of [pete, jon, nina]) await ok(post(u, "join", { did: c }));
  });

  test("oldest first, role names, active flag, total, paging", async () => {
    const all = await ok(get(undefined, "listMembers", { did: "listers" }));
    expect(all.total).toBe(4);
    expect(all.members.map((m: any) => [m.handle, m.role, m.roleRkey, m.active])).toEqual([
      ["olive.test", "owner", "owner", true],
      ["pete.test", "member", "member", true],
      ["jon.test", "member", "member", true],
      ["nina.test", "member", "member", true],
    ]);
    const p1 = await ok(get(undefined, "listMembers", { did: c, limit: 3 }));
    expect(p1.members).toHaveLength(3);
    const p2 = await ok(get(undefined, "listMembers", { did: c, limit: 3, cursor: p1.cursor }));
    expect(p2.members.map((m: any) => m.did)).toEqual([nina.did]);
    expect(p2.cursor).toBeUndefined();
    expectError(await get(undefined, "listMembers", { did: c, limit: 0 }), 400, "InvalidRequest");
    expectError(await get(undefined, "listMembers", { did: "nosuch" }), 404, "NotFound");
  });

  test("an inactive account is listed with active:false; a changed handle shows the CURRENT handle", async () => {
    await setAccountStatus(nina.did, "suspended");
    try {
      const m = (await ok(get(undefined, "listMembers", { did: c }))).members.find((x: any) => x.did === nina.did);
      expect(m.active).toBe(false);
    } finally {
      await setAccountStatus(nina.did, "approved");
    }
    await ok(xrpc(s.pds.url, "com.atproto.identity.updateHandle", { token: jon.token, body: { handle: "jonathan.test" } }));
    const m = (await ok(get(undefined, "listMembers", { did: c }))).members.find((x: any) => x.did === jon.did);
    expect(m.handle).toBe("jonathan.test");
    const rec = await ok(xrpc(s.pds.url, "com.atproto.repo.getRecord", { params: { repo: c, collection: MEMBER, rkey: jon.did } }));
    expect(rec.value.handle).toBe("jon.test");
  });
});

describe("leave", () => {
  let c: string;
  beforeAll(async () => {
    c = await s.community(owner, "leavers");
    for (const u of [pete, jon, rita, nina]) await ok(post(u, "join", { did: c }));
  });

  test("owner → 403 Forbidden; non-member → 404 NotMember; anonymous → 401; unknown → 404 NotFound", async () => {
    await refused(c, () => post(owner, "leave", { did: c }), 403, "Forbidden");
    await refused(c, () => post(sam, "leave", { did: c }), 404, "NotMember");
    await refused(c, () => post(undefined, "leave", { did: c }), 401, "AuthRequired");
    await refused(c, () => post(pete, "leave", { did: "nosuch" }), 404, "NotFound");
  });

  test("removes the member record and delegations both ways, keeps unrelated ones; audited; repo still verifies", async () => {
    await side.delegate(c, pete.did, jon.did); // from pete
    await side.delegate(c, rita.did, pete.did); // to pete
    await side.delegate(c, nina.did, pete.did); // to pete
    await side.delegate(c, jon.did, rita.did); // unrelated
    const before = await audits("community.leave");
    expect(await ok(post(pete, "leave", { did: c }))).toEqual({ success: true });
    expect(await audits("community.leave")).toBe(before + 1);
    expect((await memberRows(c)).some((m: any) => m.d === pete.did)).toBe(false);
    const paths = [...(await verifiedRepoRecords(s.pds.url, s.pds.plcUrl, c)).keys()];
    expect(paths).not.toContain(`${MEMBER}/${pete.did}`);
    expect(paths.filter((p) => p.startsWith(DELEGATION))).toEqual([`${DELEGATION}/${jon.did}`]);
    expect((await ok(get(pete, "get", { did: c }))).isMember).toBe(false);
    await refused(c, () => post(pete, "leave", { did: c }), 404, "NotMember");
  });

  test("own join request is deleted; re-joining works", async () => {
    const a = await s.community(owner, "leavers-approval", { joinPolicy: "approval" });
    await ok(post(pete, "join", { did: a }));
    await ok(post(owner, "resolveJoinRequest", { requestId: await pendingId(a, pete.did), action: "approve" }));
    expect(await requests(a)).toHaveLength(1);
    await ok(post(pete, "leave", { did: a }));
    expect(await requests(a)).toHaveLength(0);
    expect(await ok(post(pete, "join", { did: a }))).toEqual({ status: "pending" });
  });
});

describe("removeMember", () => {
  let c: string;
  beforeAll(async () => {
    c = await s.community(owner, "removers");
    for (const u of [mod, pete, jon, rita, nina]) await ok(post(u, "join", { did: c }));
    await side.setRole(c, mod.did, "moderator");
    // a custom role granting something moderators lack (settings.write)
    await side.write(c, [{ action: "put", collection: `${NS}.role`, rkey: "3kcustomrole2", record: { $type: `${NS}.role`, name: "stewards", permissions: ["community.settings.write"] } }]);
    await side.setRole(c, nina.did, "3kcustomrole2");
  });

  test("moderator on the owner → 403 Forbidden; on themself → 403; on a role granting more → 403", async () => {
    await refused(c, () => post(mod, "removeMember", { did: c, memberDid: owner.did }), 403, "Forbidden");
    await refused(c, () => post(mod, "removeMember", { did: c, memberDid: mod.did }), 403, "Forbidden");
    await refused(c, () => post(mod, "removeMember", { did: c, memberDid: nina.did }), 403, "Forbidden");
  });

  test("plain member → 403 Forbidden; outsider → 403 NotMember; target not a member → 404 NotMember; bad DID → 400", async () => {
    await refused(c, () => post(pete, "removeMember", { did: c, memberDid: jon.did }), 403, "Forbidden");
    await refused(c, () => post(sam, "removeMember", { did: c, memberDid: jon.did }), 403, "NotMember");
    await refused(c, () => post(mod, "removeMember", { did: c, memberDid: sam.did }), 404, "NotMember");
    await refused(c, () => post(mod, "removeMember", { did: c, memberDid: "not-a-did" }), 400, "InvalidRequest");
    await refused(c, () => post(mod, "removeMember", { did: c }), 400, "InvalidRequest");
  });

  test("moderator on a member → ok: record, delegations both ways and join request gone; audited", async () => {
    await side.delegate(c, jon.did, rita.did);
    await side.delegate(c, rita.did, jon.did);
    const before = await audits("community.removeMember");
    expect(await ok(post(mod, "removeMember", { did: c, memberDid: jon.did }))).toEqual({ success: true });
    expect(await audits("community.removeMember")).toBe(before + 1);
    const paths = [...(await verifiedRepoRecords(s.pds.url, s.pds.plcUrl, c)).keys()];
    expect(paths).not.toContain(`${MEMBER}/${jon.did}`);
    expect(paths.filter((p) => p.startsWith(DELEGATION))).toEqual([]);
    await refused(c, () => post(mod, "removeMember", { did: c, memberDid: jon.did }), 404, "NotMember");
  });

  test("the owner may remove anyone but themself (custom role included)", async () => {
    expect((await memberRows(c)).map((m: any) => m.d)).toContain(nina.did);
    await ok(post(owner, "removeMember", { did: c, memberDid: nina.did }));
    expect((await memberRows(c)).map((m: any) => m.d)).not.toContain(nina.did);
    await refused(c, () => post(owner, "removeMember", { did: c, memberDid: owner.did }), 403, "Forbidden");
  });
});

describe("suspended community", () => {
  let c: string;
  let reqId: string;
  beforeAll(async () => {
    c = await s.community(owner, "frozen");
    await ok(post(pete, "join", { did: c }));
    await ok(post(jon, "join", { did: c }));
    await ok(post(owner, "update", { did: c, joinPolicy: "approval" }));
    await ok(post(rita, "join", { did: c }));
    reqId = await pendingId(c, rita.did);
    await ok(xrpc(s.pds.url, `${NS}.suspend`, { token: s.admin.token, body: { did: c, reason: "test" } }));
  });

  test("join, resolveJoinRequest, removeMember → 403 CommunitySuspended, nothing written", async () => {
    await refused(c, () => post(sam, "join", { did: c }), 403, "CommunitySuspended");
    await refused(c, () => post(owner, "resolveJoinRequest", { requestId: reqId, action: "approve" }), 403, "CommunitySuspended");
    await refused(c, () => post(owner, "removeMember", { did: c, memberDid: jon.did }), 403, "CommunitySuspended");
  });

  test("listMembers and listJoinRequests still served; leave succeeds", async () => {
    expect((await ok(get(undefined, "listMembers", { did: c }))).total).toBe(3);
    expect((await ok(get(owner, "listJoinRequests", { did: c }))).total).toBe(1);
    expect(await ok(post(pete, "leave", { did: c }))).toEqual({ success: true });
    expect((await ok(get(undefined, "listMembers", { did: c }))).total).toBe(2);
  });

  test("after all the membership changes, the repo verifies and its member records match listMembers", async () => {
    const paths = [...(await verifiedRepoRecords(s.pds.url, s.pds.plcUrl, c)).keys()].filter((p) => p.startsWith(MEMBER)).sort();
    const listed = (await ok(get(undefined, "listMembers", { did: c }))).members.map((m: any) => `${MEMBER}/${m.did}`).sort();
    expect(paths).toEqual(listed);
  });
});
