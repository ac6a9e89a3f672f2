// Community roles (spec 05 §2-§3) against a real server: createRole, updateRole, deleteRole, listRoles,
// updateMemberRole — the owner-role invariants, the escalation guard, and every refusal with nothing written.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { verifiedRepoRecords, xrpc, ok, type XrpcReply } from "../e2e/_xrpc.ts";
import { NS, setup, type Setup, type User } from "./moderation-setup.ts";

const ROLE = `${NS}.role`;
const ALL = [
  "community.settings.write", "community.profile.write", "community.member.read", "community.member.write", "community.member.delete",
  "community.role.read", "community.role.write", "community.attestation.write", "community.attestation.delete",
  "community.application.write", "community.application.delete", "community.governance.write",
];
const MODERATOR = [
  "community.profile.write", "community.member.read", "community.member.write", "community.member.delete", "community.role.read",
  "community.attestation.write", "community.attestation.delete", "community.governance.write",
];
let s: Setup;
let owner: User, mod: User, pete: User, outsider: User;
let c: string;

beforeAll(async () => {
  s = await setup();
  [owner, mod, pete, outsider] = (await Promise.all(["rolf", "mona", "petra", "oscar"].map((n) => s.register(n)))) as [User, User, User, User];
  c = await s.community(owner, "guild");
  await s.join(mod, c);
  await s.join(pete, c);
}, 60_000);
afterAll(async () => {
  await s?.stop();
});

const post = (u: User | undefined, method: string, body: Record<string, unknown>) =>
  xrpc(s.pds.url, `${NS}.${method}`, { ...(u ? { token: u.token } : {}), body: { communityDid: c, ...body } });
const get = (u: User | undefined, method: string, params: Record<string, string>) =>
  xrpc(s.pds.url, `${NS}.${method}`, { ...(u ? { token: u.token } : {}), params });
const roleOf = async (did: string, community = c) => ((await s.db.query("SELECT role_rkey AS r FROM community_members WHERE community_did = ? AND member_did = ?").get(community, did)) as { r: string } | null)?.r;
const audits = async (action: string) => await s.count("SELECT count(*) AS n FROM audit_log WHERE action = ?", action);
/** everything a refused call must leave unchanged */
const snapshot = async (did = c) => ({
  head: await s.db.query("SELECT commit_cid, rev FROM repo_roots WHERE did = ?").get(did),
  roles: await s.db.query("SELECT rkey, name, permissions FROM community_roles WHERE community_did = ? ORDER BY rkey").all(did),
  members: await s.db.query("SELECT member_did, role_rkey FROM community_members WHERE community_did = ? ORDER BY member_did").all(did),
  records: await s.db.query("SELECT collection, rkey, cid FROM records WHERE did = ? ORDER BY collection, rkey").all(did),
  audit: await s.count("SELECT count(*) AS n FROM audit_log"),
});
async function refused(call: () => Promise<XrpcReply>, status: number, error: string, message?: string, did = c) {
  const before = await snapshot(did);
  const r = await call();
  expect({ status: r.status, error: r.body?.error }).toEqual({ status, error });
  if (message) expect(r.body.message).toContain(message);
  expect(await snapshot(did)).toEqual(before);
}

describe("defaults and listRoles", () => {
  test("the three default roles with exactly the §2 permission sets, ordered, with member counts", async () => {
    const { roles } = await ok(get(undefined, "listRoles", { communityDid: c }));
    expect(roles.map((r: any) => [r.rkey, r.name, r.permissions, r.memberCount])).toEqual([
      ["owner", "owner", ALL, 1],
      ["moderator", "moderator", MODERATOR, 0],
      ["member", "member", ["community.member.read", "community.role.read"], 2],
    ]);
    expect(roles[0].uri).toBe(`at://${c}/${ROLE}/owner`);
  });

  test("by handle; unknown community → 404 NotFound; missing communityDid → 400", async () => {
    expect((await ok(get(undefined, "listRoles", { communityDid: "guild.test" }))).roles).toHaveLength(3);
    const r = await get(undefined, "listRoles", { communityDid: "did:plc:nosuchcommunity" });
    expect({ status: r.status, error: r.body.error }).toEqual({ status: 404, error: "NotFound" });
    const m = await xrpc(s.pds.url, `${NS}.listRoles`, { params: {} });
    expect({ status: m.status, error: m.body.error }).toEqual({ status: 400, error: "InvalidRequest" });
  });

  test("private community: a non-member → 403 CommunityPrivate; a member (role.read) reads", async () => {
    const p = await s.community(owner, "hidden", { visibility: "private" });
    const r = await get(outsider, "listRoles", { communityDid: p });
    expect({ status: r.status, error: r.body.error }).toEqual({ status: 403, error: "CommunityPrivate" });
    const anon = await get(undefined, "listRoles", { communityDid: p });
    expect({ status: anon.status, error: anon.body.error }).toEqual({ status: 403, error: "CommunityPrivate" });
    expect((await ok(get(owner, "listRoles", { communityDid: p }))).roles).toHaveLength(3);
  });
});

describe("updateMemberRole", () => {
  test("the owner makes mona a moderator: one signed commit, projection, audit", async () => {
    const before = await audits("community.updateMemberRole");
    const out = await ok(post(owner, "updateMemberRole", { memberDid: mod.did, roleRkey: "moderator" }));
    expect(out).toMatchObject({ uri: `at://${c}/${NS}.member/${mod.did}`, role: "moderator", roleRkey: "moderator" });
    expect(await roleOf(mod.did)).toBe("moderator");
    const rec = await ok(xrpc(s.pds.url, "com.atproto.repo.getRecord", { params: { repo: c, collection: `${NS}.member`, rkey: mod.did } }));
    expect(rec.value.roleRkey).toBe("moderator");
    expect(rec.cid).toBe(out.cid);
    expect((await verifiedRepoRecords(s.pds.url, s.pds.plcUrl, c)).get(`${NS}.member/${mod.did}`)).toBe(out.cid);
    expect(await audits("community.updateMemberRole")).toBe(before + 1);
    const meta = JSON.parse(((await s.db.query("SELECT meta FROM audit_log WHERE action = 'community.updateMemberRole' ORDER BY id DESC LIMIT 1").get()) as { meta: string }).meta);
    expect(meta).toEqual({ memberDid: mod.did, roleRkey: "moderator", roleName: "moderator", previousRoleRkey: "member" });
  });

  test("the same role again: the current record, no commit, no audit", async () => {
    const before = await snapshot();
    const out = await ok(post(owner, "updateMemberRole", { memberDid: mod.did, roleRkey: "moderator" }));
    expect(out.roleRkey).toBe("moderator");
    expect(await snapshot()).toEqual(before);
  });

  test("owner role: assigning it, or changing the owner's role → 400 CannotChangeOwner (owner or moderator)", async () => {
    await refused(() => post(mod, "updateMemberRole", { memberDid: mod.did, roleRkey: "owner" }), 400, "CannotChangeOwner");
    await refused(() => post(mod, "updateMemberRole", { memberDid: pete.did, roleRkey: "owner" }), 400, "CannotChangeOwner");
    await refused(() => post(mod, "updateMemberRole", { memberDid: owner.did, roleRkey: "member" }), 400, "CannotChangeOwner");
    await refused(() => post(owner, "updateMemberRole", { memberDid: pete.did, roleRkey: "owner" }), 400, "CannotChangeOwner");
    await refused(() => post(owner, "updateMemberRole", { memberDid: owner.did, roleRkey: "moderator" }), 400, "CannotChangeOwner");
  });

  test("a moderator never changes their own role → 403 Forbidden", async () => {
    await refused(() => post(mod, "updateMemberRole", { memberDid: mod.did, roleRkey: "member" }), 403, "Forbidden", "Cannot grant permissions you do not hold");
  });

  test("target not a member → 404 NotMember; unknown role → 404 RoleNotFound; caller without member.write → 403; non-member → 403 NotMember; anonymous → 401", async () => {
    await refused(() => post(owner, "updateMemberRole", { memberDid: outsider.did, roleRkey: "member" }), 404, "NotMember");
    await refused(() => post(owner, "updateMemberRole", { memberDid: pete.did, roleRkey: "nosuchrole" }), 404, "RoleNotFound");
    await refused(() => post(pete, "updateMemberRole", { memberDid: mod.did, roleRkey: "member" }), 403, "Forbidden", "Insufficient community privileges");
    await refused(() => post(outsider, "updateMemberRole", { memberDid: pete.did, roleRkey: "member" }), 403, "NotMember");
    await refused(() => post(undefined, "updateMemberRole", { memberDid: pete.did, roleRkey: "member" }), 401, "AuthRequired");
    await refused(() => post(owner, "updateMemberRole", { memberDid: "not-a-did", roleRkey: "member" }), 400, "InvalidRequest");
  });
});

describe("createRole", () => {
  let helpers: string;

  test("the owner creates a custom role: a TID rkey, the signed record, the projection, audit", async () => {
    const before = await audits("community.role.create");
    const out = await ok(post(owner, "createRole", { name: "Helpers", description: "Help newcomers", permissions: ["community.member.read", "community.attestation.write"] }));
    helpers = out.rkey;
    expect(out.rkey).toMatch(/^[234567a-z]{13}$/);
    expect(out.uri).toBe(`at://${c}/${ROLE}/${out.rkey}`);
    const rec = await ok(xrpc(s.pds.url, "com.atproto.repo.getRecord", { params: { repo: c, collection: ROLE, rkey: out.rkey } }));
    expect(rec.value).toEqual({ $type: ROLE, name: "Helpers", description: "Help newcomers", permissions: ["community.member.read", "community.attestation.write"] });
    expect((await verifiedRepoRecords(s.pds.url, s.pds.plcUrl, c)).get(`${ROLE}/${out.rkey}`)).toBe(out.cid);
    const { roles } = await ok(get(undefined, "listRoles", { communityDid: c }));
    expect(roles[3]).toEqual({ uri: out.uri, rkey: out.rkey, name: "Helpers", description: "Help newcomers", permissions: ["community.member.read", "community.attestation.write"], memberCount: 0 });
    expect(await audits("community.role.create")).toBe(before + 1);
  });

  test("an empty permission list is allowed", async () => {
    const out = await ok(post(owner, "createRole", { name: "Guests", permissions: [] }));
    expect((await ok(get(undefined, "listRoles", { communityDid: c }))).roles.find((r: any) => r.rkey === out.rkey).permissions).toEqual([]);
  });

  test("names are unique case-insensitively; `owner` is reserved → 409 RoleNameTaken", async () => {
    for (const name of ["helpers", "HELPERS", "Owner", "owner", "MODERATOR", "Member"]) {
      await refused(() => post(owner, "createRole", { name, permissions: [] }), 409, "RoleNameTaken");
    }
  });

  test("invalid permission names and duplicates → 400 InvalidRequest 'Invalid permissions: …'", async () => {
    await refused(() => post(owner, "createRole", { name: "X", permissions: ["community.fly", "community.member.read"] }), 400, "InvalidRequest", "Invalid permissions: community.fly");
    await refused(() => post(owner, "createRole", { name: "X", permissions: ["community.member.read", "community.member.read"] }), 400, "InvalidRequest", "Invalid permissions");
    await refused(() => post(owner, "createRole", { name: "X", permissions: "community.member.read" }), 400, "InvalidRequest");
    await refused(() => post(owner, "createRole", { name: "", permissions: [] }), 400, "InvalidRequest");
    await refused(() => post(owner, "createRole", { name: "x".repeat(65), permissions: [] }), 400, "InvalidRequest");
    await refused(() => post(owner, "createRole", { name: "X", description: "d".repeat(501), permissions: [] }), 400, "InvalidRequest");
    await refused(() => post(owner, "createRole", { name: "X" }), 400, "InvalidRequest");
  });

  test("a moderator granting community.settings.write → 403 'Cannot grant permissions you do not hold'; within their own → 200", async () => {
    // the default moderator lacks role.write altogether
    await refused(() => post(mod, "createRole", { name: "Admins", permissions: ["community.settings.write"] }), 403, "Forbidden", "Insufficient community privileges");
    // give mona a role that has it: give mona a role that has it (and nothing she could not grant herself)
    const lead = await ok(post(owner, "createRole", { name: "Lead", permissions: [...MODERATOR, "community.role.write"] }));
    await ok(post(owner, "updateMemberRole", { memberDid: mod.did, roleRkey: lead.rkey }));
    await refused(() => post(mod, "createRole", { name: "Admins", permissions: ["community.settings.write"] }), 403, "Forbidden", "Cannot grant permissions you do not hold");
    await refused(() => post(mod, "createRole", { name: "Apps", permissions: ["community.member.read", "community.application.write"] }), 403, "Forbidden");
    const ok1 = await ok(post(mod, "createRole", { name: "Greeters", permissions: ["community.member.read"] }));
    expect(ok1.rkey).toBeString();
  });

  test("a plain member → 403 Forbidden; a non-member → 403 NotMember; anonymous → 401", async () => {
    await refused(() => post(pete, "createRole", { name: "Mine", permissions: [] }), 403, "Forbidden", "Insufficient community privileges");
    await refused(() => post(outsider, "createRole", { name: "Mine", permissions: [] }), 403, "NotMember");
    await refused(() => post(undefined, "createRole", { name: "Mine", permissions: [] }), 401, "AuthRequired");
  });

  describe("updateRole", () => {
    test("role/owner → 400 OwnerLockout, even for the owner", async () => {
      await refused(() => post(owner, "updateRole", { rkey: "owner", name: "boss" }), 400, "OwnerLockout");
      await refused(() => post(owner, "updateRole", { rkey: "owner", permissions: [] }), 400, "OwnerLockout");
    });

    test("unknown → 404 RoleNotFound; renaming to Owner or another role's name → 409; nothing given → 400", async () => {
      await refused(() => post(owner, "updateRole", { rkey: "nosuch", name: "x" }), 404, "RoleNotFound");
      await refused(() => post(owner, "updateRole", { rkey: helpers, name: "Owner" }), 409, "RoleNameTaken");
      await refused(() => post(owner, "updateRole", { rkey: helpers, name: "guests" }), 409, "RoleNameTaken");
      await refused(() => post(owner, "updateRole", { rkey: helpers }), 400, "InvalidRequest");
      await refused(() => post(owner, "updateRole", { rkey: helpers, permissions: ["nope"] }), 400, "InvalidRequest", "Invalid permissions: nope");
    });

    test("the guard covers before and after: a moderator cannot widen a role, nor touch one granting more than they hold", async () => {
      await refused(() => post(mod, "updateRole", { rkey: helpers, permissions: ["community.member.read", "community.settings.write"] }), 403, "Forbidden", "Cannot grant permissions you do not hold");
      const wide = await ok(post(owner, "createRole", { name: "Wide", permissions: ["community.settings.write"] }));
      await refused(() => post(mod, "updateRole", { rkey: wide.rkey, permissions: [] }), 403, "Forbidden", "Cannot grant permissions you do not hold");
      await refused(() => post(mod, "deleteRole", { rkey: wide.rkey }), 403, "Forbidden", "Cannot grant permissions you do not hold");
      await ok(post(owner, "deleteRole", { rkey: wide.rkey }));
    });

    test("the owner renames and re-permissions (same name in another case is its own name): record, projection, audit", async () => {
      const before = await audits("community.role.update");
      const out = await ok(post(owner, "updateRole", { rkey: helpers, name: "HELPERS", permissions: ["community.member.read"] }));
      const rec = await ok(xrpc(s.pds.url, "com.atproto.repo.getRecord", { params: { repo: c, collection: ROLE, rkey: helpers } }));
      expect(rec.cid).toBe(out.cid);
      expect(rec.value).toEqual({ $type: ROLE, name: "HELPERS", description: "Help newcomers", permissions: ["community.member.read"] });
      expect(await audits("community.role.update")).toBe(before + 1);
      const meta = JSON.parse(((await s.db.query("SELECT meta FROM audit_log WHERE action = 'community.role.update' ORDER BY id DESC LIMIT 1").get()) as { meta: string }).meta);
      expect(meta).toEqual({ rkey: helpers, name: "HELPERS", permissions: ["community.member.read"] });
    });

    test("the member role may be edited", async () => {
      await ok(post(owner, "updateRole", { rkey: "member", description: "Everyone" }));
      const r = (await ok(get(undefined, "listRoles", { communityDid: c }))).roles.find((x: any) => x.rkey === "member");
      expect(r).toMatchObject({ name: "member", description: "Everyone", permissions: ["community.member.read", "community.role.read"] });
    });
  });

  describe("deleteRole", () => {
    test("owner → 400 OwnerLockout; member → 400 InvalidRequest; unknown → 404 RoleNotFound", async () => {
      await refused(() => post(owner, "deleteRole", { rkey: "owner" }), 400, "OwnerLockout");
      await refused(() => post(owner, "deleteRole", { rkey: "member" }), 400, "InvalidRequest");
      await refused(() => post(owner, "deleteRole", { rkey: "nosuch" }), 404, "RoleNotFound");
    });

    test("a role a member holds → 409 RoleInUse 'Reassign members first'; after reassigning → 200, gone everywhere, audited", async () => {
      await ok(post(owner, "updateMemberRole", { memberDid: pete.did, roleRkey: helpers }));
      await refused(() => post(owner, "deleteRole", { rkey: helpers }), 409, "RoleInUse", "Reassign members first");
      await ok(post(owner, "updateMemberRole", { memberDid: pete.did, roleRkey: "member" }));
      const before = await audits("community.role.delete");
      expect(await ok(post(owner, "deleteRole", { rkey: helpers }))).toEqual({ success: true });
      expect(await s.count("SELECT count(*) AS n FROM community_roles WHERE community_did = ? AND rkey = ?", c, helpers)).toBe(0);
      expect((await verifiedRepoRecords(s.pds.url, s.pds.plcUrl, c)).has(`${ROLE}/${helpers}`)).toBe(false);
      expect(await audits("community.role.delete")).toBe(before + 1);
      await refused(() => post(owner, "deleteRole", { rkey: helpers }), 404, "RoleNotFound");
    });
  });

  test("at most 50 roles per community → the 51st is 400 InvalidRequest", async () => {
    const have = (await ok(get(undefined, "listRoles", { communityDid: c }))).roles.length;
    for (let i = have; i < 50; i++) await ok(post(owner, "createRole", { name: `r${i}`, permissions: [] }));
    expect((await ok(get(undefined, "listRoles", { communityDid: c }))).roles).toHaveLength(50);
    await refused(() => post(owner, "createRole", { name: "one-too-many", permissions: [] }), 400, "InvalidRequest", "at most 50 roles");
  });
});

describe("races", () => {
  test("five concurrent createRole with one name (any case): exactly one 200, the others 409 RoleNameTaken, one row", async () => {
    const r = await s.community(owner, "racers");
    const replies = await Promise.all(["Twin", "twin", "TWIN", "tWin", "Twin"].map((name) => post(owner, "createRole", { communityDid: r, name, permissions: [] })));
    expect(replies.filter((x) => x.status === 200)).toHaveLength(1);
    expect(replies.filter((x) => x.status === 409 && x.body.error === "RoleNameTaken")).toHaveLength(4);
    expect(await s.count("SELECT count(*) AS n FROM community_roles WHERE community_did = ? AND lower(name) = 'twin'", r)).toBe(1);
    expect(await s.count("SELECT count(*) AS n FROM records WHERE did = ? AND collection = ?", r, ROLE)).toBe(4);
  });

  test("deleteRole racing updateMemberRole onto that role: never a member holding a deleted role", async () => {
    const r = await s.community(owner, "racers2");
    await s.join(pete, r);
    const role = await ok(post(owner, "createRole", { communityDid: r, name: "Brief", permissions: [] }));
    const [del, assign] = await Promise.all([
      post(owner, "deleteRole", { communityDid: r, rkey: role.rkey }),
      post(owner, "updateMemberRole", { communityDid: r, memberDid: pete.did, roleRkey: role.rkey }),
    ]);
    const held = await roleOf(pete.did, r);
    const exists = await s.count("SELECT count(*) AS n FROM community_roles WHERE community_did = ? AND rkey = ?", r, role.rkey) === 1;
    if (held === role.rkey) expect(exists).toBe(true);
    expect([del.status, assign.status].sort()).toEqual(exists ? [200, 409] : [200, 404]);
  });
});

describe("status rules (04 §3)", () => {
  test("suspended → 403 CommunitySuspended for role writes; listRoles still answers", async () => {
    const x = await s.community(owner, "paused");
    await ok(xrpc(s.pds.url, `${NS}.suspend`, { token: s.admin.token, body: { did: x } }));
    await refused(() => post(owner, "createRole", { communityDid: x, name: "Later", permissions: [] }), 403, "CommunitySuspended", undefined, x);
    await refused(() => post(owner, "updateRole", { communityDid: x, rkey: "member", description: "x" }), 403, "CommunitySuspended", undefined, x);
    expect((await ok(get(undefined, "listRoles", { communityDid: x }))).roles).toHaveLength(3);
  });
});

describe("under simple-majority (05 §4): role writes need a proposal", () => {
  test("createRole, updateRole, deleteRole, updateMemberRole → 403 GovernanceDenied {requiresProposal, targetCollection}, nothing written; listRoles answers", async () => {
    const g = await s.community(owner, "council");
    await s.join(pete, g);
    const custom = await ok(post(owner, "createRole", { communityDid: g, name: "Scribes", permissions: [] }));
    await ok(post(owner, "setGovernanceModel", { communityDid: g, governanceModel: "simple-majority" }));
    for (const call of [
      () => post(owner, "createRole", { communityDid: g, name: "Later", permissions: [] }),
      () => post(owner, "updateRole", { communityDid: g, rkey: custom.rkey, name: "Writers" }),
      () => post(owner, "deleteRole", { communityDid: g, rkey: custom.rkey }),
      () => post(owner, "updateMemberRole", { communityDid: g, memberDid: pete.did, roleRkey: custom.rkey }),
    ]) {
      const before = await snapshot(g);
      const r = await call();
      expect({ status: r.status, error: r.body.error, requiresProposal: r.body.requiresProposal, targetCollection: r.body.targetCollection })
        .toEqual({ status: 403, error: "GovernanceDenied", requiresProposal: true, targetCollection: ROLE });
      expect(await snapshot(g)).toEqual(before);
    }
    expect((await ok(get(undefined, "listRoles", { communityDid: g }))).roles).toHaveLength(4);
    expect(await roleOf(pete.did, g)).toBe("member");
  });
});

test("no handler answered with an error name its lexicon does not declare, nor an invalid output", () => {
  expect(s.pds.logs()).not.toContain("does not declare");
  expect(s.pds.logs()).not.toContain("does not match its lexicon");
  expect(s.pds.logs()).not.toContain("InternalServerError");
});
