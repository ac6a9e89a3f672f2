// com.atproto.admin.deleteAccount (T14, 06 §1) on a real server: refusals change nothing; a deletion removes the member
// records from every community repo (verified CARs), announces #account deleted and tombstones the DID through the outbox;
// a DID whose document names another server is deleted without a tombstone.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import * as dagCbor from "@ipld/dag-cbor";
import { verifyRepoCar } from "@atproto/repo";
import { Secp256k1Keypair } from "@atproto/crypto";
import { approvedUser, call, ok, PASSWORD, register, startEnv, uniq, type Env } from "./_support.ts";
import { plcSigningKey } from "../e2e/_xrpc.ts";
import { sideWriter, type SideWriter } from "../community/membership-setup.ts";
import { signPlcOp } from "../../src/identity/plc-sign.ts";
import { cidForOp } from "../../plc/ops/encoding.ts";

const DELETE = "com.atproto.admin.deleteAccount";
const NS = "net.openfederation.community";
let e: Env;
let side: SideWriter;
beforeAll(async () => {
  e = await startEnv();
  side = await sideWriter(e.pds.dataDir);
});
afterAll(async () => {
  await side?.close();
  await e?.stop();
});

type User = Awaited<ReturnType<typeof approvedUser>>;
const n = async (q: string, ...args: unknown[]) => (await e.sql<{ n: number }>(q, ...args))[0]!.n;
const lastSeq = async () => await n("SELECT COALESCE(MAX(seq), 0) AS n FROM repo_events");
const eventsAfter = async (seq: number, did: string) =>
  (await e.sql<{ type: string; body: Uint8Array }>("SELECT type, body FROM repo_events WHERE seq > ? AND did = ? ORDER BY seq", seq, did)).map((r) => ({ type: r.type, body: dagCbor.decode(r.body) as Record<string, any> }));
const runOutbox = async () => expect((await fetch(`${e.url}/_dev/jobs/plc-tombstone-outbox`, { method: "POST" })).status).toBe(200);
const lastOp = async (did: string) => (await (await fetch(`${e.pds.plcUrl}/${did}/log/last`)).json()) as { type: string; services?: any };
const community = async (owner: User) => (await ok(call(e.url, `${NS}.create`, { token: owner.accessJwt, body: { handle: uniq("c"), didMethod: "plc" } }))).did as string;
const join_ = (u: User, did: string) => ok(call(e.url, `${NS}.join`, { token: u.accessJwt, body: { did } }));
const holderExport = (u: User) => ok(call(e.url, "net.openfederation.account.export", { token: u.accessJwt, params: { did: u.did } }));
const accountRows = async (did: string) => ({
  accounts: await n("SELECT count(*) AS n FROM accounts WHERE did = ?", did),
  sessions: await n("SELECT count(*) AS n FROM sessions WHERE did = ?", did),
  roles: await n("SELECT count(*) AS n FROM account_roles WHERE did = ?", did),
  keys: await n("SELECT count(*) AS n FROM identity_keys WHERE did = ?", did),
  repo: await n("SELECT count(*) AS n FROM repo_roots WHERE did = ?", did),
  records: await n("SELECT count(*) AS n FROM records WHERE did = ?", did),
  blobs: await n("SELECT count(*) AS n FROM blobs WHERE did = ?", did),
  memberships: await n("SELECT count(*) AS n FROM community_members WHERE member_did = ?", did),
  joinRequests: await n("SELECT count(*) AS n FROM join_requests WHERE did = ?", did),
  appPasswords: await n("SELECT count(*) AS n FROM app_passwords WHERE did = ?", did),
  preferences: await n("SELECT count(*) AS n FROM account_prefs WHERE did = ?", did),
});
/** Everything a refused deletion must leave as it was. */
const snapshot = async (did: string) => ({
  ...accountRows(did),
  seq: await lastSeq(),
  audit: await n("SELECT count(*) AS n FROM audit_log WHERE action = 'account.delete'"),
  outbox: await n("SELECT count(*) AS n FROM plc_tombstone_outbox"),
  head: await e.sql("SELECT commit_cid, rev FROM repo_roots WHERE did = ?", did),
});
const filesNamed = (dir: string, name: string): string[] => {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) if (entry.isFile() && entry.name === name) out.push(join(entry.parentPath, entry.name));
  return out;
};

describe("refusals: exact status and error, nothing written", () => {
  test("unknown 404, admin target 403, moderator 403, a plain user 403, no did 400", async () => {
    const u = await approvedUser(e);
    const mod = await approvedUser(e);
    await ok(call(e.url, "net.openfederation.account.updateRoles", { token: e.admin.accessJwt, body: { did: mod.did, addRoles: ["moderator"] } }));
    const modSession = await ok(call(e.url, "com.atproto.server.createSession", { body: { identifier: mod.name, password: PASSWORD } }));
    const before = await snapshot(u.did);
    const adminBefore = await accountRows(e.admin.did);
    const cases: Array<[string, string, Record<string, unknown>, number, string]> = [
      ["an unknown DID", e.admin.accessJwt, { did: "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa" }, 404, "NotFound"],
      ["an admin target", e.admin.accessJwt, { did: e.admin.did }, 403, "Forbidden"],
      ["a moderator caller", modSession.accessJwt, { did: u.did }, 403, "Forbidden"],
      ["the account itself", u.accessJwt, { did: u.did }, 403, "Forbidden"],
      ["no did", e.admin.accessJwt, {}, 400, "InvalidRequest"],
    ];
    for (const [what, token, body, status, error] of cases) {
      const r = await call(e.url, DELETE, { token, body });
      expect({ what, status: r.status, error: r.body.error }).toEqual({ what, status, error });
    }
    expect(await snapshot(u.did)).toEqual(before);
    expect(await accountRows(e.admin.did)).toEqual(adminBefore);
  });

  test("without a holder export since the latest commit → 409 ExportRequired; an admin's export does not count", async () => {
    const u = await approvedUser(e);
    await ok(call(e.url, "net.openfederation.account.export", { token: e.admin.accessJwt, params: { did: u.did } }));
    const before = await snapshot(u.did);
    const r = await call(e.url, DELETE, { token: e.admin.accessJwt, body: { did: u.did } });
    expect([r.status, r.body.error]).toEqual([409, "ExportRequired"]);
    expect(await snapshot(u.did)).toEqual(before);
    // a commit after the holder's export makes it stale again
    await holderExport(u);
    await ok(call(e.url, "com.atproto.repo.createRecord", { token: u.accessJwt, body: { repo: u.did, collection: "app.bsky.feed.post", record: { $type: "app.bsky.feed.post", text: "later", createdAt: new Date().toISOString() } } }));
    const stale = await snapshot(u.did);
    const again = await call(e.url, DELETE, { token: e.admin.accessJwt, body: { did: u.did } });
    expect([again.status, again.body.error]).toEqual([409, "ExportRequired"]);
    expect(await snapshot(u.did)).toEqual(stale);
  });

  test("a pending account is exempt from the export rule; its DID is tombstoned", async () => {
    const reg = await register(e);
    await ok(call(e.url, DELETE, { token: e.admin.accessJwt, body: { did: reg.did } }));
    expect(await accountRows(reg.did)).toMatchObject({ accounts: 0, keys: 0, repo: 0 });
    await runOutbox();
    expect((await lastOp(reg.did)).type).toBe("plc_tombstone");
  });
});

describe("a member of two communities who owned a third", () => {
  let owner: User;
  let u: User;
  let x: User;
  let c1: string;
  let c2: string;
  let c3: string;
  let seq: number;
  let blobCid: string;
  beforeAll(async () => {
    owner = await approvedUser(e);
    u = await approvedUser(e);
    x = await approvedUser(e);
    c1 = await community(owner);
    c2 = await community(owner);
    await join_(u, c1);
    await join_(u, c2);
    await join_(x, c1);
    // delegations both ways in c1: u → x and x → u
    await side.delegate(c1, u.did, x.did);
    await side.delegate(c1, x.did, u.did);
    c3 = await community(u);
    await join_(owner, c3);
    // a pending join request elsewhere
    const gated = (await ok(call(e.url, `${NS}.create`, { token: owner.accessJwt, body: { handle: uniq("g"), didMethod: "plc", joinPolicy: "approval" } }))).did as string;
    expect(await join_(u, gated)).toEqual({ status: "pending" });
    expect((await accountRows(u.did)).joinRequests).toBe(1);
    const up = await fetch(`${e.url}/xrpc/com.atproto.repo.uploadBlob`, { method: "POST", headers: { Authorization: `Bearer ${u.accessJwt}`, "Content-Type": "text/plain" }, body: "blob bytes of u" });
    blobCid = ((await up.json()) as any).blob.ref.$link;
    // rows other features keep per account (10 §3-§4): an app password (and its session), a preference
    const made = await ok(call(e.url, "com.atproto.server.createAppPassword", { token: u.accessJwt, body: { name: "phone" } }));
    await ok(call(e.url, "com.atproto.server.createSession", { body: { identifier: u.name, password: made.password } }));
    await call(e.url, "app.bsky.actor.putPreferences", { token: u.accessJwt, body: { preferences: [{ $type: "app.bsky.actor.defs#adultContentPref", enabled: true }] } }).then((r) => expect(r.status).toBe(200));
    expect(await accountRows(u.did)).toMatchObject({ appPasswords: 1, preferences: 1 });
  });

  test("while it owns a community → 409 AccountOwnsCommunities naming it, nothing written", async () => {
    await holderExport(u);
    const before = await snapshot(u.did);
    const r = await call(e.url, DELETE, { token: e.admin.accessJwt, body: { did: u.did } });
    expect([r.status, r.body.error]).toEqual([409, "AccountOwnsCommunities"]);
    const handle = (await e.sql<{ name: string }>("SELECT name FROM communities WHERE did = ?", c3))[0]!.name;
    expect(r.body.message).toContain(`${handle}.test`);
    expect(await snapshot(u.did)).toEqual(before);
  });

  test("after the ownership transfer: deleted, in one transaction, with every effect", async () => {
    await ok(call(e.url, `${NS}.transferOwnership`, { token: u.accessJwt, body: { did: c3, newOwnerDid: owner.did, password: PASSWORD } }));
    await holderExport(u);
    expect(filesNamed(join(e.pds.dataDir, "blobs"), blobCid)).toHaveLength(1);
    seq = await lastSeq();
    const r = await call(e.url, DELETE, { token: e.admin.accessJwt, body: { did: u.did } });
    expect([r.status, r.body]).toEqual([200, undefined]);
    expect(await accountRows(u.did)).toEqual({ accounts: 0, sessions: 0, roles: 0, keys: 0, repo: 0, records: 0, blobs: 0, memberships: 0, joinRequests: 0, appPasswords: 0, preferences: 0 });
    expect(filesNamed(join(e.pds.dataDir, "blobs"), blobCid)).toEqual([]);
    const audit = await e.sql<{ actor_did: string; meta: string }>("SELECT actor_did, meta FROM audit_log WHERE action = 'account.delete' AND target_did = ?", u.did);
    expect(audit.map((a) => [a.actor_did, JSON.parse(a.meta)])).toEqual([[e.admin.did, { did: u.did, handle: `${u.name}.test`, bySelf: false, previousStatus: "approved" }]]);
    // the old session is dead, the login gone
    const old = await call(e.url, "com.atproto.server.getSession", { token: u.accessJwt });
    expect(old.status).toBe(401);
    expect((await call(e.url, "com.atproto.server.createSession", { body: { identifier: u.name, password: PASSWORD } })).status).toBe(401);
  });

  test("firehose: #account deleted for the account, one #commit per community it belonged to", async () => {
    expect((await eventsAfter(seq, u.did)).map((x) => [x.type, x.body.active, x.body.status])).toEqual([["#account", false, "deleted"]]);
    for (const c of [c1, c2, c3]) {
      const commits = (await eventsAfter(seq, c)).filter((x) => x.type === "#commit");
      expect(commits).toHaveLength(1);
      const paths = (commits[0]!.body.ops as Array<{ action: string; path: string }>).map((o) => `${o.action} ${o.path}`).sort();
      const expected = [`delete ${NS}.member/${u.did}`];
      if (c === c1) expected.push(`delete ${NS}.delegation/${u.did}`, `delete ${NS}.delegation/${x.did}`);
      expect(paths).toEqual(expected.sort());
    }
  });

  test("member records and delegations gone from every community repo (verified CARs); others untouched", async () => {
    for (const c of [c1, c2, c3]) {
      const car = new Uint8Array(await (await fetch(`${e.url}/xrpc/com.atproto.sync.getRepo?did=${c}`)).arrayBuffer());
      const verified = await verifyRepoCar(car, c, await plcSigningKey(e.pds.plcUrl, c));
      const paths = verified.creates.map((w) => `${w.collection}/${w.rkey}`);
      expect(paths).not.toContain(`${NS}.member/${u.did}`);
      expect(paths.filter((p) => p.startsWith(`${NS}.delegation/`))).toEqual([]);
      expect(paths).toContain(`${NS}.member/${owner.did}`);
      const listed = await ok(call(e.url, "com.atproto.repo.listRecords", { params: { repo: c, collection: `${NS}.member` } }));
      expect(listed.records.map((r: any) => r.uri)).not.toContain(`at://${c}/${NS}.member/${u.did}`);
    }
    expect(await e.sql("SELECT member_did FROM community_members WHERE community_did = ? ORDER BY member_did", c1)).toEqual([owner.did, x.did].sort().map((member_did) => ({ member_did })));
  });

  test("the PLC tombstone is submitted through the outbox and the row (with the key) goes", async () => {
    await runOutbox();
    expect((await lastOp(u.did)).type).toBe("plc_tombstone");
    // the directory no longer resolves it (ofpds plc answers a tombstoned DID's document with 404)
    expect((await fetch(`${e.pds.plcUrl}/${u.did}`)).status).toBe(404);
    expect(await n("SELECT count(*) AS n FROM plc_tombstone_outbox WHERE did = ?", u.did)).toBe(0);
    // the communities keep their DIDs
    expect((await lastOp(c1)).type).toBe("plc_operation");
  });

  test("the name and the email are free again", async () => {
    const again = await register(e, u.name);
    expect(again.handle).toBe(`${u.name}.test`);
  });
});

test("a DID whose document names another server: deleted, no tombstone queued or submitted", async () => {
  const reg = await register(e);
  await ok(call(e.url, "net.openfederation.account.approve", { token: e.admin.accessJwt, body: { did: reg.did } }));
  const s = await ok(call(e.url, "com.atproto.server.createSession", { body: { identifier: reg.did, password: PASSWORD } }));
  // the holder moves the DID elsewhere with its own rotation key
  const data = (await (await fetch(`${e.pds.plcUrl}/${reg.did}/data`)).json()) as any;
  const log = (await (await fetch(`${e.pds.plcUrl}/${reg.did}/log`)).json()) as any[];
  const op = await signPlcOp({
    type: "plc_operation", rotationKeys: data.rotationKeys, verificationMethods: data.verificationMethods, alsoKnownAs: data.alsoKnownAs,
    services: { atproto_pds: { type: "AtprotoPersonalDataServer", endpoint: "https://elsewhere.example.org" } }, prev: cidForOp(log.at(-1)),
  }, await Secp256k1Keypair.import(reg.primaryRotationKey.privateKeyHex));
  const submitted = await fetch(`${e.pds.plcUrl}/${reg.did}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(op) });
  expect(submitted.status).toBe(200);
  await ok(call(e.url, "net.openfederation.account.export", { token: s.accessJwt, params: { did: reg.did } }));
  await ok(call(e.url, DELETE, { token: e.admin.accessJwt, body: { did: reg.did } }));
  expect(await accountRows(reg.did)).toMatchObject({ accounts: 0, keys: 0, repo: 0 });
  expect(await n("SELECT count(*) AS n FROM plc_tombstone_outbox WHERE did = ?", reg.did)).toBe(0);
  await runOutbox();
  const last = await lastOp(reg.did);
  expect(last.type).toBe("plc_operation");
  expect(last.services.atproto_pds.endpoint).toBe("https://elsewhere.example.org");
});

test("a document that no longer lists this server's recovery key: queued, then dropped with plc.submitFailed (never retried forever)", async () => {
  const reg = await register(e);
  await ok(call(e.url, "net.openfederation.account.approve", { token: e.admin.accessJwt, body: { did: reg.did } }));
  const s = await ok(call(e.url, "com.atproto.server.createSession", { body: { identifier: reg.did, password: PASSWORD } }));
  const data = (await (await fetch(`${e.pds.plcUrl}/${reg.did}/data`)).json()) as any;
  const log = (await (await fetch(`${e.pds.plcUrl}/${reg.did}/log`)).json()) as any[];
  const op = await signPlcOp({
    type: "plc_operation", rotationKeys: [data.rotationKeys[0]], verificationMethods: data.verificationMethods, alsoKnownAs: data.alsoKnownAs,
    services: data.services, prev: cidForOp(log.at(-1)),
  }, await Secp256k1Keypair.import(reg.primaryRotationKey.privateKeyHex));
  expect((await fetch(`${e.pds.plcUrl}/${reg.did}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(op) })).status).toBe(200);
  await ok(call(e.url, "net.openfederation.account.export", { token: s.accessJwt, params: { did: reg.did } }));
  await ok(call(e.url, DELETE, { token: e.admin.accessJwt, body: { did: reg.did } }));
  await runOutbox();
  expect(await n("SELECT count(*) AS n FROM plc_tombstone_outbox WHERE did = ?", reg.did)).toBe(0);
  expect((await lastOp(reg.did)).type).toBe("plc_operation");
  const failed = (await e.sql<{ meta: string }>("SELECT meta FROM audit_log WHERE action = 'plc.submitFailed' AND target_did = ?", reg.did)).map((r) => JSON.parse(r.meta));
  expect(failed).toEqual([{ operation: "plc_tombstone", subject: "account", attempts: 1, error: "This server's recovery key is no longer in rotationKeys; the tombstone was dropped", dropped: true }]);
});
