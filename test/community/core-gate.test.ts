// The community gate (05 §2, 04 §3) on a migrated database: permission resolution and status effects.
import { afterAll, describe, expect, test } from "bun:test";
import { openTestDatabase } from "../_support/db.ts";
import { tempDir } from "../_support/process.ts";
import { communities, communityMembers, communityRoles } from "../../src/community/schema.ts";
import { communityStatusGate, requirePermission, type CommunityAction } from "../../src/community/gate.ts";
import { DEFAULT_ROLES } from "../../src/community/permissions.ts";
import { DomainError } from "../../src/errors.ts";
import { httpStatusOf } from "../../src/xrpc/errors.ts";

const dir = tempDir("ofpds-gate-");
const db = await openTestDatabase(dir.path);
const ctx = { db, config: { handleDomain: "test" } };
afterAll(async () => {
  await db.close();
  dir.cleanup();
});

const C = "did:plc:community1";
const base = {
  did: C, name: "club", didMethod: "plc" as const, ownerDid: "did:plc:owner", createdBy: "did:plc:owner", createdAt: "2026-01-01T00:00:00.000Z",
  status: "active" as const, visibility: "public" as const, joinPolicy: "open" as const, governanceModel: "benevolent-dictator",
  displayName: "Club", description: "", identityVerified: true,
};
await db.transaction(async (tx) => {
  await tx.orm.insert(communities).values(base).run();
  for (const r of DEFAULT_ROLES) await tx.orm.insert(communityRoles).values({ communityDid: C, rkey: r.rkey, name: r.name, permissions: JSON.stringify(r.permissions) }).run();
  // the stored owner role is emptied on purpose: the owner still has all 12
  await tx.orm.update(communityRoles).set({ permissions: "[]" }).run();
  await tx.orm.insert(communityRoles).values({ communityDid: C, rkey: "moderator2", name: "mods", permissions: JSON.stringify(["community.profile.write"]) }).run();
  await tx.orm.insert(communityMembers).values([
    { communityDid: C, memberDid: "did:plc:owner", roleRkey: "owner", joinedAt: base.createdAt },
    { communityDid: C, memberDid: "did:plc:member", roleRkey: "member", joinedAt: base.createdAt },
    { communityDid: C, memberDid: "did:plc:mod", roleRkey: "moderator2", joinedAt: base.createdAt },
  ]).run();
});

const err = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return [httpStatusOf(e), e.error, e.message];
    throw e;
  }
  return null;
};
const errAsync = async (fn: () => Promise<unknown>) => {
  try {
    await fn();
  } catch (e) {
    if (e instanceof DomainError) return [httpStatusOf(e), e.error, e.message];
    throw e;
  }
  return null;
};

describe("requirePermission", () => {
  test.each([
    ["did:plc:owner", "community.settings.write", null],
    ["did:plc:mod", "community.profile.write", null],
    ["did:plc:mod", "community.settings.write", [403, "Forbidden", "Insufficient community privileges"]],
    ["did:plc:member", "community.profile.write", [403, "Forbidden", "Insufficient community privileges"]],
    ["did:plc:stranger", "community.member.read", [403, "NotMember", "You are not a member of this community"]],
  ] as const)("%s / %s", async (caller, perm, expected) => {
    expect(await errAsync(() => requirePermission(ctx, "club.test", caller, perm))).toEqual(expected as never);
  });
  test("the owner has all 12 whatever is stored; unknown community → 404", async () => {
    expect((await requirePermission(ctx, C, "did:plc:owner", "community.role.write")).membership.permissions).toHaveLength(12);
    expect(await errAsync(() => requirePermission(ctx, "did:plc:nope", "did:plc:owner", "community.role.write"))).toEqual([404, "NotFound", "Community not found"]);
  });
});

describe("communityStatusGate", () => {
  const row = (over: Record<string, unknown>) => ({ ...base, previousStatus: null, statusReason: null, statusChangedAt: null, statusChangedBy: null, suspendedAt: null, domain: null, ownerExportedAt: null, migratedTo: null, pendingTransferId: null, pendingTransferExpiresAt: null, ...over }) as never;
  const cases: Array<[string, Record<string, unknown>, CommunityAction, unknown]> = [
    ["suspended write", { status: "suspended" }, "write", [403, "CommunitySuspended"]],
    ["suspended leave", { status: "suspended" }, "leave", null],
    ["suspended transferOwnership", { status: "suspended" }, "transferOwnership", null],
    ["takendown write", { status: "takendown" }, "write", [410, "CommunityTakenDown"]],
    ["takendown export", { status: "takendown" }, "export", null],
    ["takendown transfer", { status: "takendown" }, "transfer", [410, "CommunityTakenDown"]],
    ["migrated write", { status: "migrated", migratedTo: "https://b.example" }, "write", [400, "InvalidRequest"]],
    ["transfer pending write", { pendingTransferId: "t1", pendingTransferExpiresAt: "2999-01-01T00:00:00.000Z" }, "write", [409, "TransferPending"]],
    ["transfer pending cancel", { pendingTransferId: "t1", pendingTransferExpiresAt: "2999-01-01T00:00:00.000Z" }, "cancelTransfer", null],
    ["expired transfer", { pendingTransferId: "t1", pendingTransferExpiresAt: "2000-01-01T00:00:00.000Z" }, "write", null],
  ];
  test.each(cases)("%s", (_name, over, action, expected) => {
    const r = err(() => communityStatusGate(row(over), { write: true, action }));
    expect(r ? r.slice(0, 2) : null).toEqual(expected as never);
  });
  test("reads: takendown → 410 unless bypass; suspended reads unchanged", () => {
    expect(err(() => communityStatusGate(row({ status: "takendown" }), { write: false }))?.slice(0, 2)).toEqual([410, "CommunityTakenDown"]);
    expect(err(() => communityStatusGate(row({ status: "takendown" }), { write: false, bypass: true }))).toBeNull();
    expect(err(() => communityStatusGate(row({ status: "suspended" }), { write: false }))).toBeNull();
  });
});
