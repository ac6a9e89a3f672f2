// Communities core (spec 04 §1-§4, 05 §2, 02 §10, 03 §3/§9) against a real server: create, get, lists, update, delete, read/write gates.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { verifyRepoCar } from "@atproto/repo";
import * as dagCbor from "@ipld/dag-cbor";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { ok, plcSigningKey, xrpc } from "../e2e/_xrpc.ts";
import { serverDb, type ServerDb } from "./moderation-setup.ts";

const ADMIN = { email: "admin@example.org", handle: "admin", password: "Admin-password-123" };
const NS = "net.openfederation.community";
let pds: RunningPds;
let adminToken: string;
let db: ServerDb;

beforeAll(async () => {
  pds = await startPds({
    BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, BOOTSTRAP_ADMIN_HANDLE: ADMIN.handle, BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    RATE_LIMITS_ENABLED: "false", PDS_HOSTNAME: "pds.example.com",
  });
  adminToken = (await ok(xrpc(pds.url, "com.atproto.server.createSession", { body: { identifier: ADMIN.handle, password: ADMIN.password } }))).accessJwt;
  db = await serverDb(pds.dataDir);
});
afterAll(async () => {
  await db?.close();
  await pds?.stop();
});

async function register(name: string, approve = true): Promise<{ did: string; token: string }> {
  const invite = await ok(xrpc(pds.url, "net.openfederation.invite.create", { token: adminToken, body: { maxUses: 1 } }));
  const password = `Pw-${name}-2026-long`;
  const reg = await ok(xrpc(pds.url, "net.openfederation.account.register", { body: { handle: name, email: `${name}@example.org`, password, inviteCode: invite.code } }));
  if (approve) await ok(xrpc(pds.url, "net.openfederation.account.approve", { token: adminToken, body: { did: reg.did } }));
  const s = await ok(xrpc(pds.url, "com.atproto.server.createSession", { body: { identifier: name, password } }));
  return { did: reg.did, token: s.accessJwt };
}

const count = async (sql: string, ...args: string[]) => ((await db.query(sql).get(...args)) as { n: number }).n;
const events = async (did: string) => (await db.query("SELECT type FROM repo_events WHERE did = ? ORDER BY seq").all(did)).map((r: any) => r.type as string);
const lastAccountEvent = async (did: string) => {
  const row = (await db.query("SELECT body FROM repo_events WHERE did = ? AND type = '#account' ORDER BY seq DESC LIMIT 1").get(did)) as { body: Uint8Array } | null;
  return row ? (dagCbor.decode(row.body) as { active: boolean; status?: string }) : null;
};
const communityCount = async () => await count("SELECT count(*) AS n FROM communities");

let owner: { did: string; token: string };
let other: { did: string; token: string };

beforeAll(async () => {
  owner = await register("olivia");
  other = await register("oscar");
});

describe("create (plc)", () => {
  let created: any;
  beforeAll(async () => {
    created = await ok(xrpc(pds.url, `${NS}.create`, { token: owner.token, body: { handle: "gardeners", didMethod: "plc", displayName: "Gardeners" } }));
  });

  test("returns did, handle, status and the primary rotation key once, with its message", () => {
    expect(created).toMatchObject({ handle: "gardeners.test", didMethod: "plc", status: "active" });
    expect(created.did).toStartWith("did:plc:");
    expect(created.primaryRotationKey.didKey).toStartWith("did:key:");
    expect(created.message).toContain("shown only once");
  });

  test("PLC rotationKeys are [owner key, server recovery key]", async () => {
    const data = (await (await fetch(`${pds.plcUrl}/${created.did}/data`)).json()) as { rotationKeys: string[]; alsoKnownAs: string[] };
    expect(data.rotationKeys).toHaveLength(2);
    expect(data.rotationKeys[0]).toBe(created.primaryRotationKey.didKey);
    expect(data.alsoKnownAs).toEqual(["at://gardeners.test"]);
  });

  test("genesis: exactly the 7 records in one commit, verified against the PLC key", async () => {
    const res = await fetch(`${pds.url}/xrpc/com.atproto.sync.getRepo?did=${created.did}`);
    expect(res.status).toBe(200);
    const verified = await verifyRepoCar(new Uint8Array(await res.arrayBuffer()), created.did, await plcSigningKey(pds.plcUrl, created.did));
    // 04 §2 lists 7 genesis records: settings, profile, the 3 default roles and the creator's member record
    // (the spec counts role/owner|moderator|member as three), i.e. 6 distinct paths plus nothing else
    expect(verified.creates.map((c) => `${c.collection}/${c.rkey}`).sort()).toEqual([
      `${NS}.member/${owner.did}`, `${NS}.profile/self`, `${NS}.role/member`, `${NS}.role/moderator`, `${NS}.role/owner`, `${NS}.settings/self`,
    ].sort());
    expect((await events(created.did)).filter((t) => t === "#commit")).toHaveLength(1);
    const settings = await ok(xrpc(pds.url, "com.atproto.repo.getRecord", { params: { repo: created.did, collection: `${NS}.settings`, rkey: "self" } }));
    expect(settings.value).toEqual({ $type: `${NS}.settings`, didMethod: "plc", governanceModel: "benevolent-dictator", visibility: "public", joinPolicy: "open" });
    const member = await ok(xrpc(pds.url, "com.atproto.repo.getRecord", { params: { repo: created.did, collection: `${NS}.member`, rkey: owner.did } }));
    expect(member.value).toMatchObject({ did: owner.did, handle: "olivia.test", roleRkey: "owner" });
    expect(await events(created.did)).toEqual(["#identity", "#account", "#commit", "#sync"]);
  });

  test("get shows the full view; listMine shows role owner; listAll lists it (excluding own unless includeMine)", async () => {
    const view = await ok(xrpc(pds.url, `${NS}.get`, { token: owner.token, params: { did: "gardeners.test" } }));
    expect(view).toMatchObject({ did: created.did, displayName: "Gardeners", memberCount: 1, isOwner: true, isMember: true, owner: { did: owner.did, handle: "olivia.test" }, transferPending: false });
    expect(view.myMembership).toMatchObject({ role: "owner", roleRkey: "owner" });
    expect(view.myMembership.permissions).toHaveLength(12);
    const anon = await ok(xrpc(pds.url, `${NS}.get`, { params: { did: created.did } }));
    expect(anon).toMatchObject({ isOwner: false, isMember: false });
    expect(anon.transferPending).toBeUndefined();
    const mine = await ok(xrpc(pds.url, `${NS}.listMine`, { token: owner.token }));
    expect(mine.communities).toEqual([expect.objectContaining({ did: created.did, role: "owner", roleRkey: "owner" })]);
    expect((await ok(xrpc(pds.url, `${NS}.listAll`, {}))).communities.map((c: any) => c.did)).toContain(created.did);
    expect((await ok(xrpc(pds.url, `${NS}.listAll`, { token: owner.token }))).communities.map((c: any) => c.did)).not.toContain(created.did);
    expect((await ok(xrpc(pds.url, `${NS}.listAll`, { token: owner.token, params: { includeMine: true } }))).communities.map((c: any) => c.did)).toContain(created.did);
  });

  test("update: non-member → 403 NotMember; member without permission → 403 Forbidden; owner → one commit", async () => {
    const r1 = await xrpc(pds.url, `${NS}.update`, { token: other.token, body: { did: created.did, displayName: "X" } });
    expect([r1.status, r1.body.error]).toEqual([403, "NotMember"]);
    // make `other` a plain member through the managed writer's path: a projection row written like join would
    // (membership methods belong to another issue) — here simulated by a direct record through the server is not
    // possible, so this case is covered in core-gate.test.ts at service level.
    const commitsBefore = (await events(created.did)).filter((t) => t === "#commit").length;
    await ok(xrpc(pds.url, `${NS}.update`, { token: owner.token, body: { did: created.did, displayName: "Garden club", description: "We grow" } }));
    expect((await events(created.did)).filter((t) => t === "#commit").length).toBe(commitsBefore + 1);
    const view = await ok(xrpc(pds.url, `${NS}.get`, { params: { did: created.did } }));
    expect(view).toMatchObject({ displayName: "Garden club", description: "We grow" });
    const bad = await xrpc(pds.url, `${NS}.update`, { token: owner.token, body: { did: created.did } });
    expect([bad.status, bad.body.error]).toEqual([400, "InvalidRequest"]);
    const undeclared = await xrpc(pds.url, `${NS}.update`, { token: owner.token, body: { did: created.did, colour: "red" } });
    expect([undeclared.status, undeclared.body.error]).toEqual([400, "InvalidRequest"]);
  });

  test("generic writes: non-member → 403; owner to a managed collection → 400 naming the method; owner custom collection → 200", async () => {
    const r1 = await xrpc(pds.url, "com.atproto.repo.createRecord", { token: other.token, body: { repo: created.did, collection: "com.example.note", record: { text: "x" } } });
    expect(r1.status).toBe(403);
    const r2 = await xrpc(pds.url, "com.atproto.repo.createRecord", { token: owner.token, body: { repo: created.did, collection: `${NS}.role`, record: { name: "x", permissions: [] } } });
    expect([r2.status, r2.body.error]).toEqual([400, "InvalidRequest"]);
    expect(r2.body.message).toContain(`${NS}.createRole`);
    const r3 = await xrpc(pds.url, "com.atproto.repo.createRecord", { token: owner.token, body: { repo: created.did, collection: "com.example.note", record: { text: "hi" } } });
    expect(r3.status).toBe(200);
    expect(await count("SELECT count(*) AS n FROM community_roles WHERE community_did = ?", created.did)).toBe(3);
  });

  test("switching to private: warning, #account deactivated, hidden from anonymous reads, listAll and listRepos; members served", async () => {
    const res = await ok(xrpc(pds.url, `${NS}.update`, { token: owner.token, body: { did: created.did, visibility: "private" } }));
    expect(res.warning).toContain("cannot be recalled");
    expect(await lastAccountEvent(created.did)).toMatchObject({ active: false, status: "deactivated" });
    const seqBefore = (await events(created.did)).length;
    const get = await xrpc(pds.url, `${NS}.get`, { params: { did: created.did } });
    expect([get.status, get.body.error]).toEqual([404, "NotFound"]);
    const getOther = await xrpc(pds.url, `${NS}.get`, { token: other.token, params: { did: created.did } });
    expect(getOther.status).toBe(404);
    for (const [nsid, params] of [
      ["com.atproto.repo.listRecords", { repo: created.did, collection: `${NS}.role` }],
      ["com.atproto.repo.getRecord", { repo: created.did, collection: `${NS}.profile`, rkey: "self" }],
      ["com.atproto.repo.describeRepo", { repo: created.did }],
      ["com.atproto.sync.getRepo", { did: created.did }],
      ["com.atproto.sync.getLatestCommit", { did: created.did }],
      ["com.atproto.sync.listBlobs", { did: created.did }],
    ] as const) {
      const r = await xrpc(pds.url, nsid, { token: other.token, params: params as any });
      expect([nsid, r.status, r.body?.error]).toEqual([nsid, 400, "RepoDeactivated"]);
    }
    expect((await xrpc(pds.url, "com.atproto.repo.listRecords", { token: owner.token, params: { repo: created.did, collection: `${NS}.role` } })).status).toBe(200);
    expect((await xrpc(pds.url, "com.atproto.sync.getRepo", { token: owner.token, params: { did: created.did } })).status).toBe(200);
    expect((await xrpc(pds.url, "com.atproto.sync.getRepoStatus", { params: { did: created.did } })).body).toMatchObject({ active: false, status: "deactivated" });
    expect((await ok(xrpc(pds.url, "com.atproto.sync.listRepos", {}))).repos.map((r: any) => r.did)).not.toContain(created.did);
    expect((await ok(xrpc(pds.url, `${NS}.listAll`, { params: { limit: 100 } }))).communities.map((c: any) => c.did)).not.toContain(created.did);
    expect((await ok(xrpc(pds.url, `${NS}.listAll`, { token: adminToken, params: { mode: "all" } }))).communities.map((c: any) => c.did)).toContain(created.did);
    expect((await xrpc(pds.url, `${NS}.listAll`, { token: other.token, params: { mode: "all" } })).status).toBe(403);
    // writes to a private community emit nothing
    await ok(xrpc(pds.url, `${NS}.update`, { token: owner.token, body: { did: created.did, description: "quiet" } }));
    expect((await events(created.did)).length).toBe(seqBefore);
    const open = await xrpc(pds.url, `${NS}.update`, { token: owner.token, body: { did: created.did, joinPolicy: "open" } });
    expect([open.status, open.body.error]).toEqual([400, "InvalidRequest"]);
  });

  test("delete: non-owner → 403; owner → repo gone, #account deleted, PLC tombstone, name freed", async () => {
    const r1 = await xrpc(pds.url, `${NS}.delete`, { token: other.token, body: { did: created.did } });
    expect([r1.status, r1.body.error]).toEqual([403, "Forbidden"]);
    await ok(xrpc(pds.url, `${NS}.delete`, { token: owner.token, body: { did: created.did } }));
    expect(await count("SELECT count(*) AS n FROM repo_roots WHERE did = ?", created.did)).toBe(0);
    expect(await count("SELECT count(*) AS n FROM records WHERE did = ?", created.did)).toBe(0);
    expect(await count("SELECT count(*) AS n FROM community_members WHERE community_did = ?", created.did)).toBe(0);
    expect(await lastAccountEvent(created.did)).toMatchObject({ active: false, status: "deleted" });
    const get = await xrpc(pds.url, `${NS}.get`, { params: { did: created.did } });
    expect(get.status).toBe(404);
    // the tombstone is queued in the delete's transaction; the --dev trigger runs the outbox job to its end
    expect((await fetch(`${pds.url}/_dev/jobs/plc-tombstone-outbox`, { method: "POST" })).status).toBe(200);
    expect(((await (await fetch(`${pds.plcUrl}/${created.did}/log/last`)).json()) as any).type).toBe("plc_tombstone");
    expect(await count("SELECT count(*) AS n FROM plc_tombstone_outbox WHERE did = ?", created.did)).toBe(0);
  });
});

describe("create: validation, namespace, did:web", () => {
  const bad = async (token: string, body: Record<string, unknown>, status: number, error: string) => {
    const before = await communityCount();
    const r = await xrpc(pds.url, `${NS}.create`, { token, body });
    expect([r.status, r.body?.error]).toEqual([status, error]);
    expect(await communityCount()).toBe(before);
  };

  test("web create → DID document + instructions; no events until verified", async () => {
    const r = await ok(xrpc(pds.url, `${NS}.create`, { token: owner.token, body: { handle: "webfolk", didMethod: "web", domain: "Webfolk.Example.org" } }));
    expect(r).toMatchObject({ did: "did:web:webfolk.example.org", handle: "webfolk.test", didMethod: "web", status: "active" });
    expect(r.primaryRotationKey).toBeUndefined();
    expect(r.didDocument).toMatchObject({ id: "did:web:webfolk.example.org", alsoKnownAs: ["at://webfolk.test"] });
    expect(r.didDocument.verificationMethod[0].publicKeyMultibase).toStartWith("z");
    expect(r.instructions).toContain("https://webfolk.example.org/.well-known/did.json");
    expect(await events(r.did)).toEqual([]);
    expect(await count("SELECT count(*) AS n FROM identity_keys WHERE did = ?", r.did)).toBe(1);
    const view = await ok(xrpc(pds.url, `${NS}.get`, { token: owner.token, params: { did: r.did } }));
    expect(view.identityVerified).toBe(false);
  });

  test("duplicate did:web → 409 DidTaken", () => bad(owner.token, { handle: "webfolk2", didMethod: "web", domain: "webfolk.example.org" }, 409, "DidTaken"));
  for (const domain of ["bad_domain", "a.b/c", "127.0.0.1", "localhost", "pds.example.com"]) {
    test(`domain ${domain} → 400 InvalidDomain`, () => bad(owner.token, { handle: "webbad", didMethod: "web", domain }, 400, "InvalidDomain"));
  }
  test("web without domain / plc with domain → 400", async () => {
    await bad(owner.token, { handle: "webbad", didMethod: "web" }, 400, "InvalidRequest");
    await bad(owner.token, { handle: "webbad", didMethod: "plc", domain: "x.example.org" }, 400, "InvalidRequest");
  });
  test("a name used by an account → 409 HandleTaken; by a community → 409 HandleTaken", async () => {
    await bad(owner.token, { handle: "oscar", didMethod: "plc" }, 409, "HandleTaken");
    await bad(owner.token, { handle: "webfolk", didMethod: "plc" }, 409, "HandleTaken");
  });
  test("registering an account with a community's name → 409 AccountExists", async () => {
    const invite = await ok(xrpc(pds.url, "net.openfederation.invite.create", { token: adminToken, body: { maxUses: 1 } }));
    const r = await xrpc(pds.url, "net.openfederation.account.register", { body: { handle: "webfolk", email: "wf@example.org", password: "Pw-webfolk-2026-long", inviteCode: invite.code } });
    expect([r.status, r.body.error]).toEqual([409, "AccountExists"]);
  });
  test("private + open → 400; bad names → 400; undeclared field → 400; anonymous → 401", async () => {
    await bad(owner.token, { handle: "hidden", didMethod: "plc", visibility: "private", joinPolicy: "open" }, 400, "InvalidRequest");
    await bad(owner.token, { handle: "ab", didMethod: "plc" }, 400, "InvalidRequest");
    await bad(owner.token, { handle: "admin", didMethod: "plc" }, 400, "InvalidRequest");
    await bad(owner.token, { handle: "okname", didMethod: "plc", colour: "red" }, 400, "InvalidRequest");
    await bad(owner.token, { handle: "okname", didMethod: "dns" }, 400, "InvalidRequest");
    const r = await xrpc(pds.url, `${NS}.create`, { body: { handle: "okname", didMethod: "plc" } });
    expect(r.status).toBe(401);
  });
  test("a creator who is not approved (deactivated) → 403", async () => {
    const penny = await register("penny");
    await ok(xrpc(pds.url, "com.atproto.server.deactivateAccount", { token: penny.token, body: {} }));
    const before = await communityCount();
    const r = await xrpc(pds.url, `${NS}.create`, { token: penny.token, body: { handle: "pennyclub", didMethod: "plc" } });
    expect(r.status).toBe(403);
    expect(await communityCount()).toBe(before);
  });
  test("a private community is created silent: no events, absent from listAll", async () => {
    const r = await ok(xrpc(pds.url, `${NS}.create`, { token: owner.token, body: { handle: "secretclub", didMethod: "plc", visibility: "private" } }));
    expect(await events(r.did)).toEqual([]);
    const view = await ok(xrpc(pds.url, `${NS}.get`, { token: owner.token, params: { did: r.did } }));
    expect(view).toMatchObject({ visibility: "private", joinPolicy: "approval" });
    expect((await ok(xrpc(pds.url, `${NS}.listAll`, {}))).communities.map((c: any) => c.did)).not.toContain(r.did);
  });
});

describe("community handles resolve like account handles (02 §6)", () => {
  test("resolveHandle and /.well-known/atproto-did answer for a community; a takendown one → not found", async () => {
    const c = await ok(xrpc(pds.url, `${NS}.create`, { token: owner.token, body: { handle: "resolvers", didMethod: "plc" } }));
    expect((await ok(xrpc(pds.url, "com.atproto.identity.resolveHandle", { params: { handle: "resolvers.test" } }))).did).toBe(c.did);
    const wellKnown = await fetch(`${pds.url}/.well-known/atproto-did`, { headers: { host: "resolvers.test" } });
    expect(wellKnown.status).toBe(200);
    expect(await wellKnown.text()).toBe(c.did);
    // Moderation methods live elsewhere; a second connection sets the status, as the status-gate suites do.
    await db.run("UPDATE communities SET status = 'takendown' WHERE did = ?", [c.did]);
    const gone = await xrpc(pds.url, "com.atproto.identity.resolveHandle", { params: { handle: "resolvers.test" } });
    expect([gone.status, gone.body.error]).toEqual([400, "HandleNotFound"]);
    expect((await fetch(`${pds.url}/.well-known/atproto-did`, { headers: { host: "resolvers.test" } })).status).toBe(404);
  });
});
