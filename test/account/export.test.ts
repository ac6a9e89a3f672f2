// net.openfederation.account.export (06 §4) and holder-export recording (06 §2) on a real server: JSON, CAR, who counts.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { verifyRepoCar } from "@atproto/repo";
import { accountExportRuleSatisfied } from "../../src/account/export-rule.ts";
import { plcSigningKey } from "../e2e/_xrpc.ts";
import { approvedUser, call, ok, PASSWORD, startEnv, type Env } from "./_support.ts";

let e: Env;
beforeAll(async () => {
  e = await startEnv();
});
afterAll(() => e?.stop());

const EXPORT = "net.openfederation.account.export";
type Holder = { rev: string | null; at: string | null };
const holderOf = async (did: string) => (await e.sql<Holder>("SELECT holder_exported_rev AS rev, holder_exported_at AS at FROM accounts WHERE did = ?", did))[0]!;
const headRev = async (did: string) => (await e.sql<{ rev: string }>("SELECT rev FROM repo_roots WHERE did = ?", did))[0]!.rev;
const exportAudits = async (did: string) => (await e.sql<{ meta: string; actor: string }>("SELECT meta, actor_did AS actor FROM audit_log WHERE action = 'account.export' AND target_did = ? ORDER BY id", did)).map((r) => ({ ...JSON.parse(r.meta), actor: r.actor }));
const ruleRow = async (did: string) => (await e.sql<{ status: string; holderExportedRev: string | null; suspendedAt: string | null }>("SELECT status, holder_exported_rev AS \"holderExportedRev\", suspended_at AS \"suspendedAt\" FROM accounts WHERE did = ?", did))[0]!;
const ruleHolds = async (did: string) => accountExportRuleSatisfied(await ruleRow(did), await headRev(did), { now: Date.now(), graceDays: 14 });
const post = (u: { did: string; accessJwt: string }, text: string) =>
  ok(call(e.url, "com.atproto.repo.createRecord", { token: u.accessJwt, body: { repo: u.did, collection: "app.bsky.feed.post", record: { $type: "app.bsky.feed.post", text, createdAt: new Date().toISOString() } } }));
const carOf = async (nsid: string, params: Record<string, string>, token?: string) => {
  const res = await fetch(`${e.url}/xrpc/${nsid}?${new URLSearchParams(params)}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toStartWith("application/vnd.ipld.car");
  return new Uint8Array(await res.arrayBuffer());
};
const login = (identifier: string, extra: Record<string, unknown> = {}) => ok(call(e.url, "com.atproto.server.createSession", { body: { identifier, password: PASSWORD, ...extra } }));

describe("JSON", () => {
  let u: Awaited<ReturnType<typeof approvedUser>>;
  let community: string;
  let appPassword: string | undefined;
  beforeAll(async () => {
    u = await approvedUser(e);
    await post(u, "one");
    await post(u, "two");
    const owner = await approvedUser(e);
    community = (await ok(call(e.url, "net.openfederation.community.create", { token: owner.accessJwt, body: { handle: `c${u.name}`, didMethod: "plc" } }))).did;
    await ok(call(e.url, "net.openfederation.community.join", { token: u.accessJwt, body: { did: community } }));
    // app passwords (10 §4) may not be served yet; when they are, the one made here must not appear in the export
    const app = await call(e.url, "com.atproto.server.createAppPassword", { token: u.accessJwt, body: { name: "phone" } });
    appPassword = app.status === 200 ? app.body.password : undefined;
  });

  test("the holder's export: the 06 §4 shape with email, records and memberships; sets holderExportedRev/At; audit bySelf", async () => {
    expect(await holderOf(u.did)).toEqual({ rev: null, at: null });
    const rev = await headRev(u.did);
    const r = await call(e.url, EXPORT, { token: u.accessJwt, params: { did: u.did } });
    expect(r.status).toBe(200);
    const body = r.body;
    expect(Object.keys(body).sort()).toEqual(["$type", "account", "blobs", "collections", "exportedAt", "exportedBy", "memberships", "preferences", "stats"]);
    expect(body.$type).toBe(EXPORT);
    expect(body.exportedBy).toBe(u.did);
    expect(body.account).toEqual({ did: u.did, handle: `${u.name}.test`, email: `${u.name}@example.org`, status: "approved", createdAt: expect.any(String) });
    expect(body.collections["app.bsky.feed.post"].map((x: any) => x.record.text).sort()).toEqual(["one", "two"]);
    // the genesis commit holds app.bsky.actor.profile/self
    expect(body.collections["app.bsky.actor.profile"].map((x: any) => x.rkey)).toEqual(["self"]);
    expect(body.stats).toEqual({ totalRecords: 3, collections: 2, communityMemberships: 1 });
    expect(body.memberships).toEqual([{ communityDid: community, handle: `c${u.name}.test`, role: "member", joinedAt: expect.any(String) }]);
    expect(body.blobs).toEqual([]);
    // the holder's preferences (none stored yet) and no secrets of any kind
    expect(body.preferences).toEqual([]);
    const text = JSON.stringify(body).toLowerCase();
    for (const secret of ["password", "argon2", "jwt", "token", "oauth", ...(appPassword ? [appPassword.toLowerCase()] : [])]) expect(text).not.toContain(secret);
    expect(await holderOf(u.did)).toEqual({ rev, at: body.exportedAt });
    expect(await exportAudits(u.did)).toEqual([{ format: "json", recordCount: 3, bySelf: true, actor: u.did }]);
    expect(await ruleHolds(u.did)).toBe(true);
  });

  test("a commit after the export makes it stale: the export rule no longer holds", async () => {
    expect(await ruleHolds(u.did)).toBe(true);
    await post(u, "three");
    expect(await ruleHolds(u.did)).toBe(false);
  });

  test("an admin's export: no email, exportedBy the admin, holderExported unchanged, audit bySelf false", async () => {
    const before = await holderOf(u.did);
    const body = await ok(call(e.url, EXPORT, { token: e.admin.accessJwt, params: { did: u.did, format: "json" } }));
    expect(body.exportedBy).toBe(e.admin.did);
    expect(body.account.email).toBeUndefined();
    expect(body.preferences).toBeUndefined();
    expect(body.stats.totalRecords).toBe(4);
    expect(await holderOf(u.did)).toEqual(before);
    expect((await exportAudits(u.did)).at(-1)).toEqual({ format: "json", recordCount: 4, bySelf: false, actor: e.admin.did });
    expect(await ruleHolds(u.did)).toBe(false);
  });

  test("a moderator may export; it does not count either", async () => {
    const mod = await approvedUser(e);
    await ok(call(e.url, "net.openfederation.account.updateRoles", { token: e.admin.accessJwt, body: { did: mod.did, addRoles: ["moderator"] } }));
    const before = await holderOf(u.did);
    const body = await ok(call(e.url, EXPORT, { token: mod.accessJwt, params: { did: u.did } }));
    expect([body.exportedBy, body.account.email]).toEqual([mod.did, undefined]);
    expect(await holderOf(u.did)).toEqual(before);
  });
});

describe("preferences (10 §3)", () => {
  const details = { $type: "app.bsky.actor.defs#personalDetailsPref", birthDate: "1990-05-01T00:00:00.000Z" };
  const adult = { $type: "app.bsky.actor.defs#adultContentPref", enabled: false };
  const label = { $type: "app.bsky.actor.defs#contentLabelPref", label: "gore", visibility: "hide" };

  test("the holder's JSON carries the stored preferences in stored order; personalDetailsPref only with a full session; staff never; the CAR never", async () => {
    const u = await approvedUser(e);
    await ok(call(e.url, "app.bsky.actor.putPreferences", { token: u.accessJwt, body: { preferences: [label, details, adult] } }));
    const full = await ok(call(e.url, EXPORT, { token: u.accessJwt, params: { did: u.did } }));
    // stored only: the computed declaredAgePref of getPreferences is not part of the export
    expect(full.preferences).toEqual([label, details, adult]);
    const made = await ok(call(e.url, "com.atproto.server.createAppPassword", { token: u.accessJwt, body: { name: "export" } }));
    const app = await login(u.name, { password: made.password });
    const viaApp = await ok(call(e.url, EXPORT, { token: app.accessJwt, params: { did: u.did } }));
    expect(viaApp.preferences).toEqual([label, adult]);
    expect(JSON.stringify(viaApp)).not.toContain(made.password);
    // a restricted full-password session is still a full session
    await ok(call(e.url, "net.openfederation.account.disable", { token: e.admin.accessJwt, body: { did: u.did } }));
    const restricted = await login(u.name, { allowTakendown: true });
    expect((await ok(call(e.url, EXPORT, { token: restricted.accessJwt, params: { did: u.did } }))).preferences).toEqual([label, details, adult]);
    // a restricted session made with the app password is not
    const restrictedApp = await login(u.name, { password: made.password, allowTakendown: true });
    expect((await ok(call(e.url, EXPORT, { token: restrictedApp.accessJwt, params: { did: u.did } }))).preferences).toEqual([label, adult]);
    const byAdmin = await ok(call(e.url, EXPORT, { token: e.admin.accessJwt, params: { did: u.did } }));
    expect(byAdmin.preferences).toBeUndefined();
    const car = await carOf(EXPORT, { did: u.did, format: "car" }, restricted.accessJwt);
    expect(Buffer.from(car).toString("latin1")).not.toContain("contentLabelPref");
  });
});

describe("CAR", () => {
  test("the holder's CAR verifies against the PLC signing key, holds the JSON's records, and sets holderExportedRev", async () => {
    const u = await approvedUser(e);
    await post(u, "car one");
    await post(u, "car two");
    const json = await ok(call(e.url, EXPORT, { token: e.admin.accessJwt, params: { did: u.did } })); // staff: does not count
    expect(await holderOf(u.did)).toEqual({ rev: null, at: null });
    const rev = await headRev(u.did);
    const bytes = await carOf(EXPORT, { did: u.did, format: "car" }, u.accessJwt);
    const verified = await verifyRepoCar(bytes, u.did, await plcSigningKey(e.pds.plcUrl, u.did));
    const fromCar = verified.creates.map((c) => `${c.collection}/${c.rkey} ${c.cid.toString()}`).sort();
    const fromJson = Object.entries(json.collections as Record<string, Array<{ rkey: string; cid: string }>>).flatMap(([nsid, list]) => list.map((x) => `${nsid}/${x.rkey} ${x.cid}`)).sort();
    expect(fromCar).toEqual(fromJson);
    expect(fromCar.length).toBe(3);
    expect(verified.commit.rev).toBe(rev);
    expect((await holderOf(u.did)).rev).toBe(rev);
    expect((await exportAudits(u.did)).map((a) => [a.format, a.recordCount, a.bySelf])).toEqual([["json", 3, false], ["car", 3, true]]);
    expect(await ruleHolds(u.did)).toBe(true);
  });

  test("an admin's CAR verifies too and does not count", async () => {
    const u = await approvedUser(e);
    await post(u, "x");
    const bytes = await carOf(EXPORT, { did: u.did, format: "car" }, e.admin.accessJwt);
    expect((await verifyRepoCar(bytes, u.did, await plcSigningKey(e.pds.plcUrl, u.did))).creates.length).toBe(2);
    expect(await holderOf(u.did)).toEqual({ rev: null, at: null });
    expect((await exportAudits(u.did)).map((a) => [a.format, a.bySelf])).toEqual([["car", false]]);
  });
});

describe("every status with a session may export its own account", () => {
  test("deactivated: the holder's own session exports and it counts", async () => {
    const u = await approvedUser(e);
    await post(u, "before deactivation");
    await ok(call(e.url, "com.atproto.server.deactivateAccount", { token: u.accessJwt, body: {} }));
    const body = await ok(call(e.url, EXPORT, { token: u.accessJwt, params: { did: u.did } }));
    expect([body.account.status, body.stats.totalRecords]).toEqual(["deactivated", 2]);
    expect((await holderOf(u.did)).rev).toBe(await headRev(u.did));
  });

  test("disabled: a restricted session (allowTakendown) exports; it counts", async () => {
    const u = await approvedUser(e);
    await post(u, "before disable");
    await ok(call(e.url, "net.openfederation.account.disable", { token: e.admin.accessJwt, body: { did: u.did } }));
    const s = await login(u.name, { allowTakendown: true });
    const bytes = await carOf(EXPORT, { did: u.did, format: "car" }, s.accessJwt);
    expect((await verifyRepoCar(bytes, u.did, await plcSigningKey(e.pds.plcUrl, u.did))).creates.length).toBe(2);
    expect((await holderOf(u.did)).rev).toBe(await headRev(u.did));
    // the restricted session still cannot write
    const w = await call(e.url, "com.atproto.repo.createRecord", { token: s.accessJwt, body: { repo: u.did, collection: "app.bsky.feed.post", record: { text: "no", createdAt: new Date().toISOString() } } });
    expect(w.status).toBe(403);
  });

  test("suspended (com.atproto.admin.updateSubjectStatus): the restricted session's export satisfies the export rule; takedown then proceeds", async () => {
    const u = await approvedUser(e);
    await post(u, "before suspension");
    const subject = { $type: "com.atproto.admin.defs#repoRef", did: u.did };
    await ok(call(e.url, "com.atproto.admin.updateSubjectStatus", { token: e.admin.accessJwt, body: { subject, deactivated: { applied: true, ref: "review" } } }));
    expect(await ruleHolds(u.did)).toBe(false);
    const s = await login(u.name, { allowTakendown: true });
    const body = await ok(call(e.url, EXPORT, { token: s.accessJwt, params: { did: u.did } }));
    expect([body.account.status, body.account.email]).toEqual(["suspended", `${u.name}@example.org`]);
    expect(await ruleHolds(u.did)).toBe(true);
    // a restricted session may export only its own account
    const other = await call(e.url, EXPORT, { token: s.accessJwt, params: { did: e.admin.did } });
    expect([other.status, other.body.error]).toEqual([403, "Forbidden"]);
    await ok(call(e.url, "com.atproto.admin.updateSubjectStatus", { token: e.admin.accessJwt, body: { subject, takedown: { applied: true } } }));
    // the takedown ended every session; the holder signs in again and can still export (06 §2)
    const again = await login(u.name, { allowTakendown: true });
    const bytes = await carOf(EXPORT, { did: u.did, format: "car" }, again.accessJwt);
    expect((await verifyRepoCar(bytes, u.did, await plcSigningKey(e.pds.plcUrl, u.did))).creates.length).toBe(2);
  });

  test("a restricted session of a staff member may not export someone else's account", async () => {
    const mod = await approvedUser(e);
    const u = await approvedUser(e);
    await ok(call(e.url, "net.openfederation.account.updateRoles", { token: e.admin.accessJwt, body: { did: mod.did, addRoles: ["moderator"] } }));
    await ok(call(e.url, "net.openfederation.account.disable", { token: e.admin.accessJwt, body: { did: mod.did } }));
    const s = await login(mod.name, { allowTakendown: true });
    const r = await call(e.url, EXPORT, { token: s.accessJwt, params: { did: u.did } });
    expect([r.status, r.body.error]).toEqual([403, "Forbidden"]);
    expect(await exportAudits(u.did)).toEqual([]);
  });
});

describe("refusals: exact error, nothing written", () => {
  test("another user's DID, unknown DIDs, no session, bad params", async () => {
    const u = await approvedUser(e);
    const v = await approvedUser(e);
    await post(v, "v's");
    const snapshot = async () => ({
      audits: (await e.sql<{ n: number }>("SELECT count(*) AS n FROM audit_log WHERE action = 'account.export'"))[0]!.n,
      u: await holderOf(u.did),
      v: await holderOf(v.did),
    });
    const before = await snapshot();
    const unknown = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa";
    const cases: Array<[string, string | undefined, Record<string, string>, number, string]> = [
      ["another user's DID", u.accessJwt, { did: v.did }, 403, "Forbidden"],
      ["another user's DID as CAR", u.accessJwt, { did: v.did, format: "car" }, 403, "Forbidden"],
      ["an unknown DID, by a user (403 before any lookup)", u.accessJwt, { did: unknown }, 403, "Forbidden"],
      ["an unknown DID, by an admin", e.admin.accessJwt, { did: unknown }, 404, "NotFound"],
      ["an unknown DID as CAR, by an admin", e.admin.accessJwt, { did: unknown, format: "car" }, 404, "NotFound"],
      ["no session", undefined, { did: u.did }, 401, "AuthRequired"],
      ["a handle instead of a DID", u.accessJwt, { did: `${u.name}.test` }, 400, "InvalidRequest"],
      ["an unknown format", u.accessJwt, { did: u.did, format: "zip" }, 400, "InvalidRequest"],
      ["no did", u.accessJwt, {}, 400, "InvalidRequest"],
    ];
    for (const [what, token, params, status, error] of cases) {
      const r = await call(e.url, EXPORT, { ...(token ? { token } : {}), params });
      expect({ what, status: r.status, error: r.body?.error }).toEqual({ what, status, error });
    }
    expect(await snapshot()).toEqual(before);
  });

  test("a pending account's queued session may not export (01 §9.3)", async () => {
    const name = `p${Date.now().toString(36).slice(-5)}`;
    const code = (await ok(call(e.url, "net.openfederation.invite.create", { token: e.admin.accessJwt, body: {} }))).code;
    // com.atproto.server.createAccount answers a pending account with its queued session
    const queued = await ok(call(e.url, "com.atproto.server.createAccount", { body: { handle: `${name}.test`, email: `${name}@example.org`, password: PASSWORD, inviteCode: code } }));
    const reg = { did: queued.did as string };
    const r = await call(e.url, EXPORT, { token: queued.accessJwt, params: { did: reg.did } });
    expect([r.status, r.body.error]).toEqual([403, "AccountNotApproved"]);
    expect(await exportAudits(reg.did)).toEqual([]);
  });
});

describe("com.atproto.sync.getRepo as a holder export", () => {
  test("a full getRepo by the holder's session counts; with `since`, anonymous or by an admin it does not", async () => {
    const u = await approvedUser(e);
    await post(u, "sync one");
    const firstRev = await headRev(u.did);
    await post(u, "sync two");
    await carOf("com.atproto.sync.getRepo", { did: u.did });
    await carOf("com.atproto.sync.getRepo", { did: u.did }, e.admin.accessJwt);
    await carOf("com.atproto.sync.getRepo", { did: u.did, since: firstRev }, u.accessJwt);
    expect(await holderOf(u.did)).toEqual({ rev: null, at: null });
    const bytes = await carOf("com.atproto.sync.getRepo", { did: u.did }, u.accessJwt);
    expect((await verifyRepoCar(bytes, u.did, await plcSigningKey(e.pds.plcUrl, u.did))).creates.length).toBe(3);
    expect((await holderOf(u.did)).rev).toBe(await headRev(u.did));
    expect(await ruleHolds(u.did)).toBe(true);
    // no audit row for sync reads
    expect(await exportAudits(u.did)).toEqual([]);
  });

  test("a commit racing the download: the CAR is the snapshot taken when the response started, and the record stays stale", async () => {
    const u = await approvedUser(e);
    await post(u, "before");
    const rev = await headRev(u.did);
    const res = await fetch(`${e.url}/xrpc/com.atproto.sync.getRepo?did=${u.did}`, { headers: { authorization: `Bearer ${u.accessJwt}` } });
    expect(res.status).toBe(200); // the head was read and the CAR's snapshot opened before the headers were sent
    await post(u, "during");
    expect(await headRev(u.did) > rev).toBe(true);
    const verified = await verifyRepoCar(new Uint8Array(await res.arrayBuffer()), u.did, await plcSigningKey(e.pds.plcUrl, u.did));
    expect([verified.commit.rev, verified.creates.length]).toEqual([rev, 2]);
    expect((await holderOf(u.did)).rev).toBe(rev);
    expect(await ruleHolds(u.did)).toBe(false);
  });

  test("a community owner's full getRepo sets ownerExportedRev; a member's or an admin's does not", async () => {
    const owner = await approvedUser(e);
    const member = await approvedUser(e);
    const did = (await ok(call(e.url, "net.openfederation.community.create", { token: owner.accessJwt, body: { handle: `g${owner.name}`, didMethod: "plc" } }))).did;
    await ok(call(e.url, "net.openfederation.community.join", { token: member.accessJwt, body: { did } }));
    const owned = async () => (await e.sql<Holder>("SELECT owner_exported_rev AS rev, owner_exported_at AS at FROM communities WHERE did = ?", did))[0]!;
    await carOf("com.atproto.sync.getRepo", { did }, member.accessJwt);
    await carOf("com.atproto.sync.getRepo", { did }, e.admin.accessJwt);
    expect(await owned()).toEqual({ rev: null, at: null });
    const rev = await headRev(did);
    await carOf("com.atproto.sync.getRepo", { did }, owner.accessJwt);
    expect((await owned()).rev).toBe(rev);
    expect(await holderOf(owner.did)).toEqual({ rev: null, at: null }); // the owner's own account export is a different record
  });
});
