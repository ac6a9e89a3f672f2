// Lifecycle on one real server: deactivate/activate (T6/T7), createAccount names, getServiceAuth, migration-in
// service-auth failures, importRepo verification. Every refusal is checked for what must NOT have changed.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as dagCbor from "@ipld/dag-cbor";
import { Secp256k1Keypair, verifySignature } from "@atproto/crypto";
import { verifyRepoCar } from "@atproto/repo";
import { CID } from "multiformats/cid";
import { call, invite, ok, PASSWORD, startEnv, uniq, type Env } from "../account/_support.ts";
import { createTestDid, repoCar, serviceJwt, type TestDid } from "./_support.ts";

let e: Env;
const IMPORT_MAX = 300_000;
const CREATE = "com.atproto.server.createAccount";

beforeAll(async () => {
  e = await startEnv({ APPROVAL_REQUIRED: "false", IMPORT_MAX_BYTES: String(IMPORT_MAX) });
});
afterAll(() => e?.stop());

const count = async (table: string) => (await e.sql<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))[0]!.n;
const events = async (did: string) =>
  (await e.sql<{ seq: number; type: string; body: Uint8Array }>("SELECT seq, type, body FROM repo_events WHERE did = ? ORDER BY seq", did)).map((r) => ({
    seq: r.seq,
    type: r.type,
    body: dagCbor.decode(r.body) as Record<string, any>,
  }));

async function newUser() {
  const name = uniq("lc");
  const body = await ok(call(e.url, CREATE, { body: { handle: `${name}.test`, email: `${name}@example.org`, password: PASSWORD, inviteCode: await invite(e) } }));
  return { ...body, name } as { did: string; handle: string; accessJwt: string; refreshJwt: string; name: string; primaryRotationKey: { privateKeyHex: string; didKey: string } };
}

describe("createAccount without did", () => {
  test("creates through the shared routine: session, handle, primaryRotationKey, audit createdVia", async () => {
    const u = await newUser();
    expect(u.handle).toBe(`${u.name}.test`);
    expect(u.did).toStartWith("did:plc:");
    expect(u.primaryRotationKey.privateKeyHex).toMatch(/^[0-9a-f]{64}$/);
    const s = await ok(call(e.url, "com.atproto.server.getSession", { token: u.accessJwt }));
    expect(s).toMatchObject({ did: u.did, active: true });
    expect((await e.sql("SELECT meta FROM audit_log WHERE action = 'account.register' AND target_did = ?", u.did))[0].meta).toContain("createAccount");
  });

  test("error names (AT Protocol): nothing written", async () => {
    const taken = await newUser();
    const code = await invite(e);
    const base = { email: `${uniq("m")}@example.org`, password: PASSWORD, inviteCode: code };
    const cases: Array<[string, Record<string, unknown>, number, string, string?]> = [
      ["not a handle at all (lexicon)", { ...base, handle: "Bad_Name!" }, 400, "InvalidRequest"],
      ["double hyphen", { ...base, handle: "bad--name.test" }, 400, "InvalidHandle"],
      ["too short", { ...base, handle: "ab.test" }, 400, "InvalidHandle"],
      ["reserved", { ...base, handle: "admin.test" }, 400, "HandleNotAvailable"],
      ["foreign domain", { ...base, handle: "alice.example.com" }, 400, "UnsupportedDomain"],
      ["weak password", { ...base, handle: `${uniq("w")}.test`, password: "short" }, 400, "InvalidPassword"],
      ["no invite", { ...base, handle: `${uniq("w")}.test`, inviteCode: undefined }, 400, "InvalidInviteCode"],
      ["unknown invite", { ...base, handle: `${uniq("w")}.test`, inviteCode: "nope-nope" }, 400, "InvalidInviteCode"],
      ["handle taken", { ...base, handle: taken.handle }, 400, "HandleNotAvailable"],
      ["email taken", { ...base, handle: `${uniq("w")}.test`, email: `${taken.name}@example.org` }, 400, "InvalidRequest", "Email already in use"],
      ["bad email", { ...base, handle: `${uniq("w")}.test`, email: "not-an-email" }, 400, "InvalidRequest"],
    ];
    const before = { accounts: await count("accounts"), keys: await count("identity_keys"), uses: await count("invite_uses") };
    for (const [what, body, status, error, message] of cases) {
      const r = await call(e.url, CREATE, { body });
      expect({ what, status: r.status, error: r.body.error }).toEqual({ what, status, error });
      if (message) expect(r.body.message).toBe(message);
    }
    expect({ accounts: await count("accounts"), keys: await count("identity_keys"), uses: await count("invite_uses") }).toEqual(before);
  });
});

describe("deactivate (T6) / activate (T7)", () => {
  test("deactivate: session kept but inactive, writes refused, #account{active:false}; activate: full access and events", async () => {
    const u = await newUser();
    const seqBefore = (await e.sql<{ s: number }>("SELECT COALESCE(MAX(seq),0) AS s FROM repo_events"))[0]!.s;
    expect((await call(e.url, "com.atproto.server.deactivateAccount", { token: u.accessJwt, body: { deleteAfter: "2030-01-01T00:00:00.000Z" } })).status).toBe(200);

    const login = await ok(call(e.url, "com.atproto.server.createSession", { body: { identifier: u.name, password: PASSWORD } }));
    expect(login).toMatchObject({ active: false, status: "deactivated" });
    // the old session still works, inactive
    expect(await ok(call(e.url, "com.atproto.server.getSession", { token: u.accessJwt }))).toMatchObject({ active: false, status: "deactivated" });
    const write = await call(e.url, "com.atproto.repo.createRecord", { token: u.accessJwt, body: { repo: u.did, collection: "app.example.note", record: { text: "x" } } });
    expect([write.status, write.body.error]).toEqual([403, "AccountDeactivated"]);
    // a second deactivate is stopped by the status gate (deactivateAccount is not on the deactivated allowlist)
    const again = await call(e.url, "com.atproto.server.deactivateAccount", { token: u.accessJwt, body: {} });
    expect([again.status, again.body.error]).toEqual([403, "AccountDeactivated"]);
    const st = await ok(call(e.url, "com.atproto.server.checkAccountStatus", { token: u.accessJwt }));
    expect(st).toMatchObject({ activated: false, validDid: true, indexedRecords: 1, privateStateValues: 0, expectedBlobs: 0, importedBlobs: 0 });
    expect(st.repoRev).toBeString();
    const evDeact = (await events(u.did)).filter((x) => x.seq > seqBefore);
    expect(evDeact.map((x) => [x.type, x.body.active, x.body.status])).toEqual([["#account", false, "deactivated"]]);
    const audit = await e.sql("SELECT meta FROM audit_log WHERE action = 'account.deactivate' AND target_did = ?", u.did);
    expect(audit).toHaveLength(1);
    expect(audit[0].meta).toContain("2030-01-01");

    expect((await call(e.url, "com.atproto.server.activateAccount", { token: login.accessJwt, body: {} })).status).toBe(200);
    expect(await ok(call(e.url, "com.atproto.server.getSession", { token: u.accessJwt }))).toMatchObject({ active: true });
    await ok(call(e.url, "com.atproto.repo.createRecord", { token: u.accessJwt, body: { repo: u.did, collection: "app.example.note", record: { text: "back" } } }));
    const ev = (await events(u.did)).filter((x) => x.seq > seqBefore).map((x) => x.type);
    expect(ev).toEqual(["#account", "#account", "#identity", "#sync", "#commit"]);
    const act = (await events(u.did)).filter((x) => x.seq > seqBefore)[1]!;
    expect(act.body).toMatchObject({ active: true });
    expect(await e.sql("SELECT 1 FROM audit_log WHERE action = 'account.activate' AND target_did = ?", u.did)).toHaveLength(1);
    // activating an active account is a no-op
    const seqNow = (await e.sql<{ s: number }>("SELECT MAX(seq) AS s FROM repo_events"))[0]!.s;
    expect((await call(e.url, "com.atproto.server.activateAccount", { token: u.accessJwt, body: {} })).status).toBe(200);
    expect((await e.sql<{ s: number }>("SELECT MAX(seq) AS s FROM repo_events"))[0]!.s).toBe(seqNow);
  });
});

describe("getServiceAuth", () => {
  test("ES256K token signed with the account's key; exp and lxm rules", async () => {
    const u = await newUser();
    const aud = "did:web:other.example.com";
    const t = await ok(call(e.url, "com.atproto.server.getServiceAuth", { token: u.accessJwt, params: { aud, lxm: CREATE } }));
    const [h, p, sig] = (t.token as string).split(".");
    const header = JSON.parse(Buffer.from(h!, "base64url").toString());
    const claims = JSON.parse(Buffer.from(p!, "base64url").toString());
    expect(header).toEqual({ alg: "ES256K", typ: "JWT" });
    expect(claims).toMatchObject({ iss: u.did, aud, lxm: CREATE });
    expect(claims.exp - claims.iat).toBe(60);
    expect(claims.jti).toBeString();
    const data = (await (await fetch(`${e.pds.plcUrl}/${u.did}/data`)).json()) as { verificationMethods: { atproto: string } };
    expect(await verifySignature(data.verificationMethods.atproto, new TextEncoder().encode(`${h}.${p}`), Buffer.from(sig!, "base64url"))).toBe(true);

    const now = Math.floor(Date.now() / 1000);
    const bad: Array<[Record<string, string | number>, number, string]> = [
      [{ aud, exp: now - 10, lxm: CREATE }, 400, "BadExpiration"],
      [{ aud, exp: now + 7200, lxm: CREATE }, 400, "BadExpiration"],
      [{ aud, exp: now + 600 }, 400, "BadExpiration"],
      [{ aud, lxm: "com.atproto.server.deleteAccount" }, 400, "InvalidRequest"],
      [{ aud, lxm: "com.atproto.identity.updateHandle" }, 400, "InvalidRequest"],
      [{ aud: "not-a-did" }, 400, "InvalidRequest"],
    ];
    for (const [params, status, error] of bad) {
      const r = await call(e.url, "com.atproto.server.getServiceAuth", { token: u.accessJwt, params });
      expect({ params, status: r.status, error: r.body.error }).toEqual({ params, status, error });
    }
    const long = await ok(call(e.url, "com.atproto.server.getServiceAuth", { token: u.accessJwt, params: { aud, exp: now + 3000, lxm: "app.bsky.feed.getTimeline" } }));
    expect(JSON.parse(Buffer.from(long.token.split(".")[1], "base64url").toString()).exp).toBe(now + 3000);
  });
});

describe("migration in: createAccount with did", () => {
  let d: TestDid;
  beforeAll(async () => {
    d = await createTestDid(e.pds.plcUrl);
  });
  const body = (extra: Record<string, unknown> = {}) => ({ handle: `${uniq("mig")}.test`, email: `${uniq("mig")}@example.org`, password: PASSWORD, did: d.did, ...extra });

  test("bad service-auth tokens → 401 InvalidToken, nothing written", async () => {
    const now = Math.floor(Date.now() / 1000);
    const stranger = await Secp256k1Keypair.create();
    const replayed = await serviceJwt(d.signing, { iss: d.did, aud: "did:web:elsewhere.example.com" });
    const tokens: Array<[string, string]> = [
      ["wrong aud", await serviceJwt(d.signing, { iss: d.did, aud: "did:web:elsewhere.example.com" })],
      ["wrong lxm", await serviceJwt(d.signing, { iss: d.did, aud: e.serviceDid, lxm: "com.atproto.repo.createRecord" })],
      ["no lxm", await serviceJwt(d.signing, { iss: d.did, aud: e.serviceDid, lxm: undefined })],
      ["exp 2 h ahead", await serviceJwt(d.signing, { iss: d.did, aud: e.serviceDid, exp: now + 7200 })],
      ["expired", await serviceJwt(d.signing, { iss: d.did, aud: e.serviceDid, exp: now - 5 })],
      ["signed by a non-DID key", await serviceJwt(stranger, { iss: d.did, aud: e.serviceDid })],
      ["iss is another DID", await serviceJwt(d.signing, { iss: (await createTestDid(e.pds.plcUrl)).did, aud: e.serviceDid })],
    ];
    void replayed;
    const before = { accounts: await count("accounts"), keys: await count("identity_keys"), sessions: await count("sessions") };
    for (const [what, token] of tokens) {
      const r = await call(e.url, CREATE, { body: body({ inviteCode: await invite(e) }), headers: { authorization: `Bearer ${token}` } });
      expect({ what, status: r.status, error: r.body.error }).toEqual({ what, status: 401, error: "InvalidToken" });
    }
    const none = await call(e.url, CREATE, { body: body({ inviteCode: await invite(e) }) });
    expect([none.status, none.body.error]).toEqual([401, "AuthRequired"]);
    expect({ accounts: await count("accounts"), keys: await count("identity_keys"), sessions: await count("sessions") }).toEqual(before);
  });

  test("valid token → deactivated account with new keys, unannounced genesis; replayed jti → 401; existing DID → 400", async () => {
    const token = await serviceJwt(d.signing, { iss: d.did, aud: e.serviceDid });
    const seqBefore = (await e.sql<{ s: number }>("SELECT COALESCE(MAX(seq),0) AS s FROM repo_events"))[0]!.s;
    const b = body({ inviteCode: await invite(e) });
    const created = await ok(call(e.url, CREATE, { body: b, headers: { authorization: `Bearer ${token}` } }));
    expect(created).toMatchObject({ did: d.did, handle: b.handle });
    const row = (await e.sql("SELECT status, created_via, approved_at FROM accounts WHERE did = ?", d.did))[0];
    expect(row).toMatchObject({ status: "deactivated", created_via: "migration" });
    expect(row.approved_at).toBeString(); // APPROVAL_REQUIRED=false
    expect((await e.sql("SELECT purpose FROM identity_keys WHERE did = ? ORDER BY purpose", d.did)).map((r: any) => r.purpose)).toEqual(["identity.recovery-key", "identity.signing-key"]);
    expect(await e.sql("SELECT seq FROM repo_events WHERE seq > ?", seqBefore)).toHaveLength(0);
    const s = await ok(call(e.url, "com.atproto.server.getSession", { token: created.accessJwt }));
    expect(s).toMatchObject({ did: d.did, active: false, status: "deactivated" });
    const st = await ok(call(e.url, "com.atproto.server.checkAccountStatus", { token: created.accessJwt }));
    expect(st).toMatchObject({ activated: false, validDid: false, indexedRecords: 0 });

    const before = await count("accounts");
    const replay = await call(e.url, CREATE, { body: body({ inviteCode: await invite(e) }), headers: { authorization: `Bearer ${token}` } });
    expect([replay.status, replay.body.error]).toEqual([401, "InvalidToken"]);
    const fresh = await serviceJwt(d.signing, { iss: d.did, aud: e.serviceDid });
    const exists = await call(e.url, CREATE, { body: body({ inviteCode: await invite(e) }), headers: { authorization: `Bearer ${fresh}` } });
    expect([exists.status, exists.body.error, exists.body.message]).toEqual([400, "InvalidRequest", "Account already exists"]);
    expect(await count("accounts")).toBe(before);

    // activation refused while the DID document does not list this server
    const act = await call(e.url, "com.atproto.server.activateAccount", { token: created.accessJwt, body: {} });
    expect([act.status, act.body.error, act.body.message]).toEqual([400, "InvalidRequest", "DID document does not point to this server"]);
    expect((await e.sql("SELECT status FROM accounts WHERE did = ?", d.did))[0].status).toBe("deactivated");
  });

  test("a community's name is taken for a migrating account too (one namespace): 400 HandleNotAvailable, nothing written", async () => {
    const owner = await newUser();
    const name = uniq("cmig");
    await ok(call(e.url, "net.openfederation.community.create", { token: owner.accessJwt, body: { handle: name, didMethod: "plc" } }));
    const m = await createTestDid(e.pds.plcUrl);
    const token = await serviceJwt(m.signing, { iss: m.did, aud: e.serviceDid });
    const before = { accounts: await count("accounts"), keys: await count("identity_keys"), sessions: await count("sessions") };
    const r = await call(e.url, CREATE, { body: { ...body({ inviteCode: await invite(e) }), did: m.did, handle: `${name}.test` }, headers: { authorization: `Bearer ${token}` } });
    expect([r.status, r.body.error]).toEqual([400, "HandleNotAvailable"]);
    expect({ accounts: await count("accounts"), keys: await count("identity_keys"), sessions: await count("sessions") }).toEqual(before);
  });

  test("P-256 (ES256) service token is accepted", async () => {
    const p = await createTestDid(e.pds.plcUrl, { p256: true });
    const token = await serviceJwt(p.signing, { iss: p.did, aud: e.serviceDid });
    const r = await call(e.url, CREATE, { body: { ...body({ inviteCode: await invite(e) }), did: p.did }, headers: { authorization: `Bearer ${token}` } });
    expect(r.status).toBe(200);
  });
});

describe("importRepo", () => {
  test("verifies the CAR; bad signature / truncated / incomplete / wrong DID / too large leave the repo unchanged; a good CAR replaces it", async () => {
    const d = await createTestDid(e.pds.plcUrl);
    const token = await serviceJwt(d.signing, { iss: d.did, aud: e.serviceDid });
    const acct = await ok(call(e.url, CREATE, { body: { handle: `${uniq("imp")}.test`, email: `${uniq("imp")}@example.org`, password: PASSWORD, inviteCode: await invite(e), did: d.did }, headers: { authorization: `Bearer ${token}` } }));
    const head = async () => (await e.sql("SELECT commit_cid, rev FROM repo_roots WHERE did = ?", d.did))[0];
    const before = await head();
    const records = Array.from({ length: 30 }, (_, i) => ({ collection: "app.example.note", rkey: `n${String(i).padStart(3, "0")}`, record: { $type: "app.example.note", text: `note ${i}` } }));
    records.push({
      collection: "app.example.photo",
      rkey: "p1",
      record: { $type: "app.example.photo", image: { $type: "blob", ref: CID.parse("bafkreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"), mimeType: "image/png", size: 10 } } as never,
    });
    const good = await repoCar(d.did, d.signing, records);

    const post = (bytes: Uint8Array, token2 = acct.accessJwt) =>
      fetch(`${e.url}/xrpc/com.atproto.repo.importRepo`, { method: "POST", headers: { authorization: `Bearer ${token2}`, "content-type": "application/vnd.ipld.car" }, body: bytes as Uint8Array<ArrayBuffer> }).then(async (r) => ({ status: r.status, body: await r.json().catch(() => undefined) }));

    const other = await repoCar(d.did, await Secp256k1Keypair.create(), records);
    const wrongDid = await repoCar("did:plc:bbbbbbbbbbbbbbbbbbbbbbbb", d.signing, records);
    const { blocksToCarFile } = await import("@atproto/repo");
    // a CAR missing one record block: the tree is incomplete
    const missing = good.blocks.entries().find((b) => !b.cid.equals(good.root) && dagCbor.decode(b.bytes) && (dagCbor.decode(b.bytes) as any).text === "note 7")!;
    const incomplete = new (good.blocks.constructor as any)();
    for (const b of good.blocks.entries()) if (!b.cid.equals(missing.cid)) incomplete.set(b.cid, b.bytes);
    const incompleteCar = await blocksToCarFile(good.root, incomplete);
    const big = new Uint8Array(IMPORT_MAX + 1000);
    big.set(good.car);

    const cases: Array<[string, Uint8Array, number, string]> = [
      ["signed by another key", other.car, 400, "InvalidSignature"],
      ["truncated bytes", good.car.slice(0, good.car.byteLength - 40), 400, "InvalidCar"],
      ["missing record block", incompleteCar, 400, "InvalidCar"],
      ["commit for another DID", wrongDid.car, 400, "InvalidCar"],
      ["garbage", new TextEncoder().encode("not a car at all"), 400, "InvalidCar"],
      ["over IMPORT_MAX_BYTES", big, 413, "PayloadTooLarge"],
    ];
    for (const [what, bytes, status, error] of cases) {
      const r = await post(bytes);
      expect({ what, status: r.status, error: r.body?.error }).toEqual({ what, status, error });
      expect(await head()).toEqual(before);
      expect((await e.sql("SELECT COUNT(*) AS n FROM records WHERE did = ?", d.did))[0].n).toBe(0);
    }

    const seqBefore = (await e.sql<{ s: number }>("SELECT COALESCE(MAX(seq),0) AS s FROM repo_events"))[0]!.s;
    const r = await post(good.car);
    expect(r.status).toBe(200);
    expect(await e.sql("SELECT seq FROM repo_events WHERE seq > ?", seqBefore)).toHaveLength(0);
    // the new head is signed with OUR key for the DID, and holds the same records (same CIDs)
    const ours = await ok(call(e.url, "com.atproto.identity.getRecommendedDidCredentials", { token: acct.accessJwt }));
    const res = await fetch(`${e.url}/xrpc/com.atproto.sync.getRepo?did=${d.did}`, { headers: { authorization: `Bearer ${acct.accessJwt}` } });
    const verified = await verifyRepoCar(new Uint8Array(await res.arrayBuffer()), d.did, ours.verificationMethods.atproto);
    const src = await verifyRepoCar(good.car, d.did, d.signing.did());
    const byPath = (creates: typeof src.creates) => new Map(creates.map((c) => [`${c.collection}/${c.rkey}`, c.cid.toString()]));
    const mine = byPath(verified.creates);
    const theirs = byPath(src.creates);
    expect([...mine.keys()].sort()).toEqual([...theirs.keys()].sort());
    // Every record keeps its CID, including those holding blob refs (encoded in the canonical data-model form).
    expect(mine).toEqual(theirs);
    const st = await ok(call(e.url, "com.atproto.server.checkAccountStatus", { token: acct.accessJwt }));
    expect(st).toMatchObject({ indexedRecords: 31, expectedBlobs: 1, importedBlobs: 0 });
    const missingBlobs = await call(e.url, "com.atproto.repo.listMissingBlobs", { token: acct.accessJwt });
    expect([missingBlobs.status, missingBlobs.body.blobs?.map((b: any) => b.cid)]).toEqual([200, ["bafkreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"]]);

    // a re-import of our own export (signed with our key) is accepted too
    const again = await post(new Uint8Array(await (await fetch(`${e.url}/xrpc/com.atproto.sync.getRepo?did=${d.did}`, { headers: { authorization: `Bearer ${acct.accessJwt}` } })).arrayBuffer()));
    expect(again.status).toBe(200);

    // an approved account may not import
    const u = await newUser();
    const approvedImport = await post(good.car, u.accessJwt);
    expect([approvedImport.status, approvedImport.body.error]).toEqual([403, "Forbidden"]);
  });
});
