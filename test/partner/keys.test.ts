// Partner key management against the real server: createKey validation and normalisation, who may do what,
// listKeys (never the key), revokeKey errors, storage as SHA-256 plus prefix, audit rows.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { openTestDatabase } from "../_support/db.ts";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { call, ok } from "../_support/xrpc.ts";
import { ADMIN, createKey, expectError, login, nextName, register } from "./_partner.ts";

let pds: RunningPds;
let admin: string;
const staff: Record<"manager" | "auditor" | "member", string> = { manager: "", auditor: "", member: "" };

const keyCount = async () => (await ok(call(pds.url, "net.openfederation.partner.listKeys", { token: admin }))).total as number;
const auditCount = async (action: string) => (await ok(call(pds.url, "net.openfederation.audit.list", { token: admin, params: { action } }))).total as number;

beforeAll(async () => {
  pds = await startPds(ADMIN);
  admin = await login(pds);
  // staff accounts: made through a partner key (approved at once), then given a role by the admin
  const { key } = await createKey(pds, admin, { name: "staff-maker" });
  for (const [who, role] of [["manager", "partner-manager"], ["auditor", "auditor"], ["member", undefined]] as const) {
    const name = nextName(who);
    const r = await ok(register(pds, key, { name }));
    if (role) await ok(call(pds.url, "net.openfederation.account.updateRoles", { token: admin, body: { did: r.did, addRoles: [role] } }));
    staff[who] = await login(pds, name, `Pw-${name}-2026-long`);
  }
});
afterAll(async () => {
  await pds?.stop();
});

describe("createKey", () => {
  test("returns the raw key once; origins normalised; defaults; stored only as SHA-256 plus prefix", async () => {
    const k = await createKey(pds, admin, { allowedOrigins: ["HTTPS://Game.Example.COM:443/", "https://game.example.com", "https://shop.example.com:8443", "http://LOCALHOST:3000"] });
    expect(k.key).toMatch(/^ofp_[A-Za-z0-9_-]{64}$/);
    expect(k).toMatchObject({
      keyPrefix: k.key.slice(0, 12),
      name: "web",
      partnerName: "Game Co",
      permissions: ["register"],
      allowedOrigins: ["https://game.example.com", "https://shop.example.com:8443", "http://localhost:3000"],
      rateLimitPerHour: 100,
      status: "active",
    });
    expect(Object.keys(k).sort()).toEqual(["allowedOrigins", "createdAt", "id", "key", "keyPrefix", "name", "partnerName", "permissions", "rateLimitPerHour", "status"]);

    const db = await openTestDatabase(pds.dataDir);
    try {
      const row = await db.raw.get<{ key_hash: string; key_prefix: string }>("SELECT key_hash, key_prefix FROM partner_keys WHERE id = ?", [k.id]);
      expect(row).toEqual({ key_hash: createHash("sha256").update(k.key).digest("hex"), key_prefix: k.key.slice(0, 12) });
      const dump = JSON.stringify(await db.raw.all("SELECT * FROM partner_keys"));
      expect(dump).not.toContain(k.key);
    } finally {
      await db.close();
    }

    const listed = await ok(call(pds.url, "net.openfederation.partner.listKeys", { token: admin }));
    const text = JSON.stringify(listed);
    expect(text).not.toContain(k.key);
    expect(text).not.toContain(createHash("sha256").update(k.key).digest("hex"));
    const view = listed.keys.find((x: { id: string }) => x.id === k.id);
    expect(view).toMatchObject({ keyPrefix: k.keyPrefix, status: "active", totalRegistrations: 0, createdAt: k.createdAt });
    expect(view.key).toBeUndefined();
    expect(view.lastUsedAt).toBeUndefined();

    const audit = await ok(call(pds.url, "net.openfederation.audit.list", { token: admin, params: { action: "partner.key.create", limit: 1 } }));
    expect(audit.entries[0]).toMatchObject({
      action: "partner.key.create",
      actorType: "account",
      targetId: k.id,
      meta: { name: "web", partnerName: "Game Co", allowedOrigins: k.allowedOrigins },
    });
    expect(JSON.stringify(audit.entries[0])).not.toContain(k.key);
  });

  const BAD: Array<[string, unknown]> = [
    ["no origins", []],
    ["21 origins", Array.from({ length: 21 }, (_, i) => `https://o${i}.example.com`)],
    ["a path", ["https://game.example.com/play"]],
    ["a query", ["https://game.example.com?x=1"]],
    ["a fragment", ["https://game.example.com#top"]],
    ["credentials", ["https://user:pw@game.example.com"]],
    ["no scheme", ["game.example.com"]],
    ["another scheme", ["ftp://game.example.com"]],
    ["a wildcard", ["*"]],
    ["a wildcard host", ["https://*.example.com"]],
    ["null", ["null"]],
    ["http for a public host", ["http://game.example.com"]],
    ["no host", ["https://"]],
    ["a bad port", ["https://game.example.com:99999"]],
    ["one good, one bad", ["https://game.example.com", "https://game.example.com/x"]],
  ];
  for (const [what, allowedOrigins] of BAD) {
    test(`invalid origins → 400 InvalidRequest, nothing written: ${what}`, async () => {
      const [keys, audit] = [await keyCount(), await auditCount("partner.key.create")];
      const r = await call(pds.url, "net.openfederation.partner.createKey", { token: admin, body: { name: "bad", partnerName: "Bad Co", allowedOrigins } });
      expectError(r, 400, "InvalidRequest");
      expect([await keyCount(), await auditCount("partner.key.create")]).toEqual([keys, audit]);
    });
  }

  const BAD_FIELDS: Array<[string, Record<string, unknown>]> = [
    ["empty name", { name: "" }],
    ["blank partnerName", { partnerName: "   " }],
    ["name over 255", { name: "x".repeat(256) }],
    ["rateLimitPerHour 0", { rateLimitPerHour: 0 }],
    ["rateLimitPerHour 10001", { rateLimitPerHour: 10_001 }],
    ["an unknown permission", { permissions: ["admin"] }],
    ["missing allowedOrigins", { allowedOrigins: undefined }],
  ];
  for (const [what, body] of BAD_FIELDS) {
    test(`bad fields → 400 InvalidRequest, nothing written: ${what}`, async () => {
      const keys = await keyCount();
      const r = await call(pds.url, "net.openfederation.partner.createKey", { token: admin, body: { name: "n", partnerName: "p", allowedOrigins: ["https://a.example.com"], ...body } });
      expectError(r, 400, "InvalidRequest");
      expect(await keyCount()).toBe(keys);
    });
  }

  test("rateLimitPerHour and permissions [] are kept", async () => {
    const k = await createKey(pds, admin, { rateLimitPerHour: 10_000, permissions: [] });
    expect(k).toMatchObject({ rateLimitPerHour: 10_000, permissions: [] });
  });
});

describe("who may manage keys (06 §7)", () => {
  test("a partner-manager creates, lists and revokes; an auditor only lists; a member nothing", async () => {
    const byManager = await createKey(pds, staff.manager, { name: "by-manager" });
    expect(byManager.status).toBe("active");
    expect((await ok(call(pds.url, "net.openfederation.partner.listKeys", { token: staff.auditor }))).keys.some((k: { id: string }) => k.id === byManager.id)).toBe(true);

    const keys = await keyCount();
    const body = { name: "x", partnerName: "y", allowedOrigins: ["https://a.example.com"] };
    expectError(await call(pds.url, "net.openfederation.partner.createKey", { token: staff.auditor, body }), 403, "Forbidden");
    expectError(await call(pds.url, "net.openfederation.partner.createKey", { token: staff.member, body }), 403, "Forbidden");
    expectError(await call(pds.url, "net.openfederation.partner.createKey", { body }), 401, "AuthRequired");
    expectError(await call(pds.url, "net.openfederation.partner.listKeys", { token: staff.member }), 403, "Forbidden");
    expectError(await call(pds.url, "net.openfederation.partner.revokeKey", { token: staff.auditor, body: { id: byManager.id } }), 403, "Forbidden");
    expectError(await call(pds.url, "net.openfederation.partner.revokeKey", { token: staff.member, body: { id: byManager.id } }), 403, "Forbidden");
    expect(await keyCount()).toBe(keys);
    const still = (await ok(call(pds.url, "net.openfederation.partner.listKeys", { token: admin, params: { status: "active" } }))).keys;
    expect(still.some((k: { id: string }) => k.id === byManager.id)).toBe(true);

    // an admin's key revoked by the manager
    const byAdmin = await createKey(pds, admin, { name: "by-admin" });
    expect(await ok(call(pds.url, "net.openfederation.partner.revokeKey", { token: staff.manager, body: { id: byAdmin.id } }))).toEqual({ id: byAdmin.id, status: "revoked" });
  });
});

describe("revokeKey and listKeys", () => {
  test("revoke: 404 NotFound for an unknown id, 400 AlreadyRevoked the second time; audit names the key", async () => {
    const revokes = await auditCount("partner.key.revoke");
    expectError(await call(pds.url, "net.openfederation.partner.revokeKey", { token: admin, body: { id: "no-such-key" } }), 404, "NotFound");
    expect(await auditCount("partner.key.revoke")).toBe(revokes);

    const k = await createKey(pds, admin, { name: "revoke-me", partnerName: "Revoke Co" });
    await ok(call(pds.url, "net.openfederation.partner.revokeKey", { token: admin, body: { id: k.id } }));
    const listed = (await ok(call(pds.url, "net.openfederation.partner.listKeys", { token: admin, params: { status: "revoked" } }))).keys;
    const view = listed.find((x: { id: string }) => x.id === k.id);
    expect(view.status).toBe("revoked");
    expect(Date.parse(view.revokedAt)).not.toBeNaN();
    const audit = await ok(call(pds.url, "net.openfederation.audit.list", { token: admin, params: { action: "partner.key.revoke", limit: 1 } }));
    expect(audit.entries[0]).toMatchObject({ targetId: k.id, actorType: "account", meta: { name: "revoke-me", partnerName: "Revoke Co" } });

    const again = await call(pds.url, "net.openfederation.partner.revokeKey", { token: admin, body: { id: k.id } });
    expectError(again, 400, "AlreadyRevoked");
    expect(await auditCount("partner.key.revoke")).toBe(revokes + 1);
  });

  test("pages newest first with a cursor; status filters; total counts the filter", async () => {
    const all = await ok(call(pds.url, "net.openfederation.partner.listKeys", { token: admin, params: { limit: 100 } }));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await ok(call(pds.url, "net.openfederation.partner.listKeys", { token: admin, params: { limit: 2, ...(cursor ? { cursor } : {}) } }));
      expect(page.total).toBe(all.total);
      seen.push(...page.keys.map((k: { id: string }) => k.id));
      cursor = page.cursor;
    } while (cursor);
    expect(seen).toEqual(all.keys.map((k: { id: string }) => k.id));
    const created = all.keys.map((k: { createdAt: string }) => k.createdAt);
    expect([...created].sort().reverse()).toEqual(created);

    const active = await ok(call(pds.url, "net.openfederation.partner.listKeys", { token: admin, params: { status: "active", limit: 100 } }));
    const revoked = await ok(call(pds.url, "net.openfederation.partner.listKeys", { token: admin, params: { status: "revoked", limit: 100 } }));
    expect(active.total + revoked.total).toBe(all.total);
    expect(active.keys.every((k: { status: string }) => k.status === "active")).toBe(true);
    expectError(await call(pds.url, "net.openfederation.partner.listKeys", { token: admin, params: { cursor: "garbage!" } }), 400, "InvalidRequest");
  });
});
