// net.openfederation.admin.importRepo (06 §9) on a real server: every refusal with its status and name and nothing
// written; a restore over changed records reproduces the CAR's records under a new head signed with the DID's key,
// announced with #identity and #sync; a community restore rebuilds its projections; a prepared import takes its CAR.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as dagCbor from "@ipld/dag-cbor";
import { Secp256k1Keypair } from "@atproto/crypto";
import { MemoryBlockstore, Repo, WriteOpAction, getFullRepo, verifyRepoCar } from "@atproto/repo";
import { approvedUser, call, ok, PASSWORD, startEnv, uniq, type Env } from "./_support.ts";
import * as plcLib from "@did-plc/lib";
import { CID } from "multiformats/cid";
import { createTestDid, repoCar } from "../lifecycle/_support.ts";
import { FirehoseClient } from "../firehose/_client.ts";

const IMPORT_MAX = 100_000;
const NSID = "net.openfederation.admin.importRepo";
const NS = "net.openfederation.community";
let e: Env;
beforeAll(async () => {
  e = await startEnv({ IMPORT_MAX_BYTES: String(IMPORT_MAX) });
});
afterAll(() => e?.stop());

const post = (params: Record<string, string>, body: Uint8Array, token = e.admin.accessJwt) =>
  fetch(`${e.url}/xrpc/${NSID}?${new URLSearchParams(params)}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/vnd.ipld.car" },
    body: body as Uint8Array<ArrayBuffer>,
  }).then(async (r) => ({ status: r.status, body: (await r.json().catch(() => ({}))) as Record<string, any> }));
const exportCar = async (did: string) => new Uint8Array(await (await fetch(`${e.url}/xrpc/com.atproto.sync.getRepo?did=${did}`)).arrayBuffer());
const lastSeq = async () => (await e.sql<{ s: number }>("SELECT COALESCE(MAX(seq), 0) AS s FROM repo_events"))[0]!.s;
const eventsAfter = async (seq: number, did: string) =>
  (await e.sql<{ type: string; body: Uint8Array }>("SELECT type, body FROM repo_events WHERE seq > ? AND did = ? ORDER BY seq", seq, did)).map((r) => ({ type: r.type, body: dagCbor.decode(r.body) as Record<string, any> }));
const recordsOf = async (did: string) => await e.sql<{ path: string; cid: string }>("SELECT collection || '/' || rkey AS path, cid FROM records WHERE did = ? ORDER BY collection, rkey", did);
const importAudits = async () => await e.sql<{ target_did: string; target_id: string | null; meta: string }>("SELECT target_did, target_id, meta FROM audit_log WHERE action = 'admin.importRepo' ORDER BY rowid");
/** Everything a refused call must leave as it was. */
const snapshot = async (did: string) => ({
  head: (await e.sql("SELECT commit_cid, rev FROM repo_roots WHERE did = ?", did))[0],
  records: await recordsOf(did),
  blocks: (await e.sql<{ n: number }>("SELECT COUNT(*) AS n FROM repo_blocks WHERE did = ?", did))[0]!.n,
  audits: (await importAudits()).length,
  seq: await lastSeq(),
});
const atprotoKey = async (did: string) => {
  const doc = (await (await fetch(`${e.pds.plcUrl}/${did}`)).json()) as { verificationMethod: Array<{ id: string; publicKeyMultibase: string }> };
  return `did:key:${doc.verificationMethod.find((m) => m.id.endsWith("#atproto"))!.publicKeyMultibase}`;
};
const note = (text: string) => ({ $type: "app.example.note", text });
const createNote = (u: { did: string; accessJwt: string }, rkey: string, text: string) =>
  ok(call(e.url, "com.atproto.repo.putRecord", { token: u.accessJwt, body: { repo: u.did, collection: "app.example.note", rkey, record: note(text) } }));

describe("account restore", () => {
  test("refusals: exact status and name, nothing written", async () => {
    const u = await approvedUser(e);
    await createNote(u, "n1", "one");
    const good = await exportCar(u.did);
    const foreign = await repoCar(u.did, await Secp256k1Keypair.create(), [{ collection: "app.example.note", rkey: "n1", record: note("forged") }]);
    const otherDid = await exportCar(e.admin.did);
    const big = new Uint8Array(IMPORT_MAX + 1);
    big.set(good);
    const aud = await approvedUser(e);
    await ok(call(e.url, "net.openfederation.account.updateRoles", { token: e.admin.accessJwt, body: { did: aud.did, addRoles: ["auditor", "moderator"] } }));
    const staffSession = await ok(call(e.url, "com.atproto.server.createSession", { body: { identifier: aud.name, password: PASSWORD } }));
    const before = await snapshot(u.did);
    const cases: Array<[string, Record<string, string>, Uint8Array, string, number, string]> = [
      ["the holder itself", { did: u.did, replace: "true" }, good, u.accessJwt, 403, "Forbidden"],
      ["an auditor and moderator", { did: u.did, replace: "true" }, good, staffSession.accessJwt, 403, "Forbidden"],
      ["over IMPORT_MAX_BYTES", { did: u.did, replace: "true" }, big, e.admin.accessJwt, 413, "PayloadTooLarge"],
      ["garbage", { did: u.did, replace: "true" }, new TextEncoder().encode("certainly not a CAR"), e.admin.accessJwt, 400, "InvalidCar"],
      ["signed by a foreign key", { did: u.did, replace: "true" }, foreign.car, e.admin.accessJwt, 400, "InvalidSignature"],
      ["the commit of another DID", { did: u.did, replace: "true" }, otherDid, e.admin.accessJwt, 400, "InvalidCar"],
      ["a repo with records, no replace", { did: u.did }, good, e.admin.accessJwt, 409, "RepoAlreadyExists"],
      ["replace=false spelled out", { did: u.did, replace: "false" }, good, e.admin.accessJwt, 409, "RepoAlreadyExists"],
    ];
    for (const [what, params, body, token, status, error] of cases) {
      const r = await post(params, body, token);
      expect({ what, status: r.status, error: r.body.error }).toEqual({ what, status, error });
      expect(await snapshot(u.did)).toEqual(before);
    }
    const unknown = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa";
    const r = await post({ did: unknown }, good);
    expect([r.status, r.body.error, r.body.message]).toEqual([400, "InvalidRequest", "unknown DID; prepare an import first"]);
    expect(await e.sql("SELECT did FROM repo_roots WHERE did = ?", unknown)).toEqual([]);
    expect(await snapshot(u.did)).toEqual(before);
  });

  test("replace=true restores an exported CAR over changed records: the same records, a new head signed with the DID's key, #identity and #sync", async () => {
    const u = await approvedUser(e);
    await createNote(u, "n1", "one");
    await createNote(u, "n2", "two");
    const exported = await exportCar(u.did);
    const original = await recordsOf(u.did);
    // the records change after the export: one deleted, one changed, one added
    await ok(call(e.url, "com.atproto.repo.deleteRecord", { token: u.accessJwt, body: { repo: u.did, collection: "app.example.note", rkey: "n1" } }));
    await createNote(u, "n2", "two, edited");
    await createNote(u, "n3", "three");
    const changedHead = (await e.sql<{ commit_cid: string; rev: string }>("SELECT commit_cid, rev FROM repo_roots WHERE did = ?", u.did))[0]!;
    expect(await recordsOf(u.did)).not.toEqual(original);
    const seq = await lastSeq();
    const live = new FirehoseClient(e.url);
    await live.opened;

    const r = await post({ did: u.did, replace: "true" }, exported);
    expect(r.status).toBe(200);
    // a live subscriber sees the restore: #identity, then #sync at the new rev
    const frames = await live.until((f) => f.some((x) => x.t === "#sync" && x.body.did === u.did));
    live.close();
    expect(frames.filter((x) => x.body.did === u.did).map((x) => [x.t, x.t === "#sync" ? x.body.rev : x.body.handle])).toEqual([["#identity", `${u.name}.test`], ["#sync", r.body.rev]]);
    const head = (await e.sql<{ commit_cid: string; rev: string }>("SELECT commit_cid, rev FROM repo_roots WHERE did = ?", u.did))[0]!;
    const blocks = (await e.sql<{ n: number }>("SELECT COUNT(*) AS n FROM repo_blocks WHERE did = ?", u.did))[0]!.n;
    expect(r.body).toEqual({ did: u.did, rootCid: head.commit_cid, rev: head.rev, blockCount: blocks, recordCount: original.length, state: "active" });
    expect(await recordsOf(u.did)).toEqual(original);
    expect(head.commit_cid).not.toBe(changedHead.commit_cid);
    expect(head.rev > changedHead.rev).toBe(true);
    // the new head verifies against the DID document's #atproto key and holds the exported records, CID for CID
    const verified = await verifyRepoCar(await exportCar(u.did), u.did, await atprotoKey(u.did));
    expect(verified.commit.rev).toBe(head.rev);
    expect(verified.creates.map((c) => `${c.collection}/${c.rkey}=${c.cid}`).sort()).toEqual(original.map((o) => `${o.path}=${o.cid}`).sort());
    const events = await eventsAfter(seq, u.did);
    expect(events.map((x) => x.type)).toEqual(["#identity", "#sync"]);
    expect(events[0]!.body.handle).toBe(`${u.name}.test`);
    expect(events[1]!.body.rev).toBe(head.rev);
    const audit = (await importAudits()).filter((a) => a.target_did === u.did);
    expect(audit.map((a) => JSON.parse(a.meta))).toEqual([{ did: u.did, rootCid: head.commit_cid, blockCount: blocks, recordCount: original.length, mode: "restore" }]);
    // the account keeps writing on top of the restored head
    await createNote(u, "n4", "after the restore");
    expect(await recordsOf(u.did)).toHaveLength(original.length + 1);
  });
});

describe("account restore, identity and blobs", () => {
  test("a DID tombstoned at the directory → 400 UnresolvableDid, nothing written", async () => {
    const u = await approvedUser(e);
    await createNote(u, "n1", "one");
    const car = await exportCar(u.did);
    const primary = await Secp256k1Keypair.import(u.primaryRotationKey.privateKeyHex);
    const log = (await (await fetch(`${e.pds.plcUrl}/${u.did}/log/audit`)).json()) as Array<{ cid: string }>;
    const tomb = await plcLib.tombstoneOp(CID.parse(log.at(-1)!.cid) as never, primary);
    expect((await fetch(`${e.pds.plcUrl}/${u.did}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(tomb) })).status).toBe(200);
    const before = await snapshot(u.did);
    const r = await post({ did: u.did, replace: "true" }, car);
    expect([r.status, r.body.error]).toEqual([400, "UnresolvableDid"]);
    expect(await snapshot(u.did)).toEqual(before);
  });

  test("blobs the restored records name stay served; none is reported missing", async () => {
    const u = await approvedUser(e);
    const up = await fetch(`${e.url}/xrpc/com.atproto.repo.uploadBlob`, { method: "POST", headers: { authorization: `Bearer ${u.accessJwt}`, "content-type": "image/png" }, body: new Uint8Array(321).fill(7) });
    const blob = ((await up.json()) as { blob: Record<string, unknown> }).blob;
    await ok(call(e.url, "com.atproto.repo.putRecord", { token: u.accessJwt, body: { repo: u.did, collection: "app.example.photo", rkey: "p1", record: { $type: "app.example.photo", image: blob } } }));
    const car = await exportCar(u.did);
    await ok(call(e.url, "com.atproto.repo.deleteRecord", { token: u.accessJwt, body: { repo: u.did, collection: "app.example.photo", rkey: "p1" } }));
    expect((await post({ did: u.did, replace: "true" }, car)).status).toBe(200);
    expect((await ok(call(e.url, "com.atproto.repo.listMissingBlobs", { token: u.accessJwt }))).blobs).toEqual([]);
    const cid = (blob.ref as { $link: string }).$link;
    const got = await fetch(`${e.url}/xrpc/com.atproto.sync.getBlob?did=${u.did}&cid=${cid}`);
    expect([got.status, (await got.arrayBuffer()).byteLength]).toEqual([200, 321]);
  });
});

describe("community restore", () => {
  test("replace=true brings back the exported records and their projections; without replace → 409", async () => {
    const owner = await approvedUser(e);
    const c = await ok(call(e.url, `${NS}.create`, { token: owner.accessJwt, body: { handle: `c${uniq()}`, didMethod: "plc", displayName: "Gardeners", description: "before" } }));
    const exported = await exportCar(c.did);
    const original = await recordsOf(c.did);
    await ok(call(e.url, `${NS}.update`, { token: owner.accessJwt, body: { did: c.did, description: "after", joinPolicy: "approval" } }));
    expect((await ok(call(e.url, `${NS}.get`, { params: { did: c.did } }))).description).toBe("after");

    const before = await snapshot(c.did);
    const refused = await post({ did: c.did }, exported);
    expect([refused.status, refused.body.error]).toEqual([409, "RepoAlreadyExists"]);
    expect(await snapshot(c.did)).toEqual(before);

    const seq = await lastSeq();
    const r = await post({ did: c.did, replace: "true" }, exported);
    expect([r.status, r.body.state, r.body.recordCount]).toEqual([200, "active", original.length]);
    expect(await recordsOf(c.did)).toEqual(original);
    const got = await ok(call(e.url, `${NS}.get`, { params: { did: c.did } }));
    expect([got.description, got.joinPolicy, got.memberCount]).toEqual(["before", "open", 1]);
    expect(await e.sql("SELECT member_did, role_rkey FROM community_members WHERE community_did = ?", c.did)).toEqual([{ member_did: owner.did, role_rkey: "owner" }]);
    await verifyRepoCar(await exportCar(c.did), c.did, await atprotoKey(c.did));
    expect((await eventsAfter(seq, c.did)).map((x) => x.type)).toEqual(["#identity", "#sync"]);
    expect(JSON.parse((await importAudits()).at(-1)!.meta)).toMatchObject({ did: c.did, rootCid: r.body.rootCid, mode: "restore" });
  });
});

describe("community restore after an ownership change", () => {
  test("a CAR whose owner member is no longer the community's owner → 400 InvalidRequest, nothing written", async () => {
    const owner = await approvedUser(e);
    const heir = await approvedUser(e);
    const c = await ok(call(e.url, `${NS}.create`, { token: owner.accessJwt, body: { handle: `h${uniq()}`, didMethod: "plc" } }));
    await ok(call(e.url, `${NS}.join`, { token: heir.accessJwt, body: { did: c.did } }));
    const old = await exportCar(c.did);
    await ok(call(e.url, `${NS}.transferOwnership`, { token: owner.accessJwt, body: { did: c.did, newOwnerDid: heir.did, password: PASSWORD } }));
    const before = await snapshot(c.did);
    const members = async () => await e.sql("SELECT member_did, role_rkey FROM community_members WHERE community_did = ? ORDER BY member_did", c.did);
    const membersBefore = await members();
    const r = await post({ did: c.did, replace: "true" }, old);
    expect([r.status, r.body.error]).toEqual([400, "InvalidRequest"]);
    expect(r.body.message).toContain(heir.did);
    expect(await snapshot(c.did)).toEqual(before);
    expect(await members()).toEqual(membersBefore);
    expect(await e.sql("SELECT owner_did FROM communities WHERE did = ?", c.did)).toEqual([{ owner_did: heir.did }]);
  });
});

describe("prepared community import (importId)", () => {
  async function communityCar(did: string, key: Secp256k1Keypair, ownerDid: string) {
    const at = new Date().toISOString();
    const recs = [
      { collection: `${NS}.settings`, rkey: "self", record: { $type: `${NS}.settings`, didMethod: "plc", governanceModel: "benevolent-dictator", visibility: "public", joinPolicy: "open" } },
      { collection: `${NS}.profile`, rkey: "self", record: { $type: `${NS}.profile`, displayName: "Moving", description: "from afar", createdAt: at } },
      { collection: `${NS}.role`, rkey: "owner", record: { $type: `${NS}.role`, name: "owner", permissions: [] } },
      { collection: `${NS}.role`, rkey: "member", record: { $type: `${NS}.role`, name: "member", permissions: [] } },
      { collection: `${NS}.member`, rkey: ownerDid, record: { $type: `${NS}.member`, did: ownerDid, handle: "x.test", roleRkey: "owner", joinedAt: at } },
    ];
    const storage = new MemoryBlockstore();
    const repo = await Repo.create(storage, did, key, recs.map((r) => ({ action: WriteOpAction.Create, ...r })) as never);
    const chunks: Uint8Array[] = [];
    for await (const chunk of getFullRepo(storage, repo.cid)) chunks.push(chunk);
    return Buffer.concat(chunks);
  }

  test("the CAR is verified and attached (awaiting-identity); a foreign key, another owner or an unknown importId change nothing", async () => {
    const owner = await approvedUser(e);
    const source = "https://old-pds.example.com";
    const d = await createTestDid(e.pds.plcUrl, { pds: source });
    const prep = await ok(call(e.url, `${NS}.prepareImport`, { token: owner.accessJwt, body: { did: d.did, handle: `m${uniq()}`, sourcePds: source } }));
    const good = await communityCar(d.did, d.signing as Secp256k1Keypair, owner.did);
    const stranger = await approvedUser(e);
    const before = await snapshot(d.did);
    const importRow = async () => (await e.sql("SELECT status, root_cid FROM community_imports WHERE id = ?", prep.importId))[0];
    const cases: Array<[string, Record<string, string>, Uint8Array, number, string]> = [
      ["signed by a foreign key", { did: d.did, importId: prep.importId }, await communityCar(d.did, await Secp256k1Keypair.create(), owner.did), 400, "InvalidSignature"],
      ["another owner", { did: d.did, importId: prep.importId }, await communityCar(d.did, d.signing as Secp256k1Keypair, stranger.did), 400, "InvalidRequest"],
      ["an unknown importId", { did: d.did, importId: "0".repeat(32) }, good, 404, "NotFound"],
      ["garbage", { did: d.did, importId: prep.importId }, new Uint8Array([1, 2, 3]), 400, "InvalidCar"],
    ];
    for (const [what, params, body, status, error] of cases) {
      const r = await post(params, body);
      expect({ what, status: r.status, error: r.body.error }).toEqual({ what, status, error });
      expect(await snapshot(d.did)).toEqual(before);
      expect(await importRow()).toEqual({ status: "preparing", root_cid: null });
    }

    const seq = await lastSeq();
    const r = await post({ did: d.did, importId: prep.importId }, good);
    expect([r.status, r.body.state, r.body.recordCount]).toEqual([200, "awaiting-identity", 5]);
    expect(await e.sql("SELECT commit_cid FROM repo_roots WHERE did = ?", d.did)).toEqual([{ commit_cid: r.body.rootCid }]);
    expect(await importRow()).toMatchObject({ status: "preparing" });
    expect((await importRow() as { root_cid: string | null }).root_cid).not.toBeNull();
    expect(await e.sql("SELECT status FROM communities WHERE did = ?", d.did)).toEqual([{ status: "importing" }]);
    // nothing is announced while the DID still points at the source
    expect(await lastSeq()).toBe(seq);
    const audit = (await importAudits()).at(-1)!;
    expect([audit.target_did, audit.target_id, JSON.parse(audit.meta).mode]).toEqual([d.did, prep.importId, "attach"]);
  });

  test("offline completion: completeImport without a token activates once the owner moved the DID here; not before, not without a CAR", async () => {
    const owner = await approvedUser(e);
    const source = "https://old-pds.example.com";
    const d = await createTestDid(e.pds.plcUrl, { pds: source });
    const prep = await ok(call(e.url, `${NS}.prepareImport`, { token: owner.accessJwt, body: { did: d.did, handle: `o${uniq()}`, sourcePds: source } }));
    const complete = () => call(e.url, `${NS}.completeImport`, { token: owner.accessJwt, body: { importId: prep.importId } });
    const status = async () => (await e.sql<{ status: string }>("SELECT status FROM communities WHERE did = ?", d.did))[0]!.status;

    const noCar = await complete();
    expect([noCar.status, noCar.body.error]).toEqual([400, "InvalidRequest"]);
    const attached = await post({ did: d.did, importId: prep.importId }, await communityCar(d.did, d.signing as Secp256k1Keypair, owner.did));
    expect(attached.status).toBe(200);
    const seq = await lastSeq();
    const early = await complete();
    expect([early.status, early.body.error]).toEqual([409, "DidNotUpdated"]);
    expect([await status(), await lastSeq()]).toEqual(["importing", seq]);

    // the owner moves the DID here with their own rotation key, to the keys the ticket reserved
    const ticket = JSON.parse(Buffer.from(prep.importTicket, "base64url").toString("utf8"));
    const lastOp = await (await fetch(`${e.pds.plcUrl}/${d.did}/log/last`)).json();
    const op = await plcLib.createUpdateOp(lastOp, d.rotation, (prev: any) => ({
      ...prev,
      rotationKeys: [d.rotation.did(), ticket.recoveryKey],
      verificationMethods: { atproto: ticket.signingKey },
      alsoKnownAs: [`at://${ticket.handle}`],
      services: { atproto_pds: { type: "AtprotoPersonalDataServer", endpoint: ticket.endpoint } },
    }));
    const submitted = await fetch(`${e.pds.plcUrl}/${d.did}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(op) });
    expect(submitted.status).toBe(200);

    const done = await ok(complete());
    expect(done).toEqual({ did: d.did, handle: prep.handle, status: "active", rootCid: attached.body.rootCid, rev: attached.body.rev });
    expect(await status()).toBe("active");
    expect(await e.sql("SELECT member_did, role_rkey FROM community_members WHERE community_did = ?", d.did)).toEqual([{ member_did: owner.did, role_rkey: "owner" }]);
    const got = await ok(call(e.url, `${NS}.get`, { params: { did: d.did } }));
    expect([got.displayName, got.description, got.status]).toEqual(["Moving", "from afar", "active"]);
    expect((await eventsAfter(seq, d.did)).map((x) => x.type)).toEqual(["#account", "#identity", "#sync"]);
    const imported = await e.sql<{ meta: string }>("SELECT meta FROM audit_log WHERE action = 'community.import' AND target_did = ?", d.did);
    expect(imported.map((a) => JSON.parse(a.meta).mode)).toEqual(["offline"]);
    await verifyRepoCar(await exportCar(d.did), d.did, ticket.signingKey);
    // completing twice finds no open import
    const again = await complete();
    expect([again.status, again.body.error]).toEqual([404, "NotFound"]);
  });
});
