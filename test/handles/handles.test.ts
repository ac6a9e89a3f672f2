// Handles and holder-signed PLC operations on a real server (02 §6, §11; 03 §7 #identity): resolveHandle, updateHandle, submitPlcOperation.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Secp256k1Keypair } from "@atproto/crypto";
import { approvedUser, call, ok, register, startEnv, uniq, type Env } from "../account/_support.ts";
import { startDns, type TestDns, startWellKnownHost } from "./_dns.ts";
import { signPlcOp } from "../../src/identity/plc-sign.ts";
import { cidForOp } from "../../plc/ops/encoding.ts";

let e: Env;
let dns: TestDns;
let web: ReturnType<typeof startWellKnownHost>;

beforeAll(async () => {
  dns = await startDns();
  web = startWellKnownHost();
  e = await startEnv({ OFPDS_DEV_DNS_SERVER: dns.address, OFPDS_DEV_WELLKNOWN_PORT: String(web.port) });
});
afterAll(async () => {
  await e?.stop();
  await dns?.stop();
  web?.stop();
});

const plcLog = async (did: string) => (await (await fetch(`${e.pds.plcUrl}/${did}/log`)).json()) as any[];
const plcData = async (did: string) => (await (await fetch(`${e.pds.plcUrl}/${did}/data`)).json()) as any;
const identityEvents = async (did: string) => (await e.sql<{ n: number }>("SELECT count(*) AS n FROM repo_events WHERE did = ? AND type = '#identity'", did))[0]!.n;
const accountRow = async (did: string) => (await e.sql("SELECT name, external_handle FROM accounts WHERE did = ?", did))[0];
const expectError = (r: { status: number; body: any }, status: number, error: string) => expect({ status: r.status, error: r.body?.error }).toEqual({ status, error });

describe("resolveHandle", () => {
  test("local handle → DID; unknown local and unknown remote → 400 HandleNotFound", async () => {
    const u = await approvedUser(e);
    expect(await ok(call(e.url, "com.atproto.identity.resolveHandle", { params: { handle: `${u.name}.test` } }))).toEqual({ did: u.did });
    for (const handle of ["nobody-here.test", "unknown.example.org"]) {
      expectError(await call(e.url, "com.atproto.identity.resolveHandle", { params: { handle } }), 400, "HandleNotFound");
    }
  });

  test("remote handle via DNS TXT _atproto.<handle>", async () => {
    dns.txt.set("_atproto.txt-user.example.org", ["did=did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"]);
    expect(await ok(call(e.url, "com.atproto.identity.resolveHandle", { params: { handle: "txt-user.example.org" } }))).toEqual({ did: "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa" });
  });

  test("remote handle via the well-known served on loopback (development allows private fetch)", async () => {
    dns.a.set("wk-user.example.org", ["127.0.0.1"]);
    web.documents.set("wk-user.example.org", "did:plc:bbbbbbbbbbbbbbbbbbbbbbbb\n");
    expect(await ok(call(e.url, "com.atproto.identity.resolveHandle", { params: { handle: "wk-user.example.org" } }))).toEqual({ did: "did:plc:bbbbbbbbbbbbbbbbbbbbbbbb" });
    expect(web.hits).toContain("wk-user.example.org");
  });
});

describe("updateHandle", () => {
  test("to a new local name: PLC op with the new alsoKnownAs, #identity, audit, old name registrable, describeRepo follows", async () => {
    const u = await approvedUser(e);
    const next = uniq("n");
    const opsBefore = (await plcLog(u.did)).length;
    const eventsBefore = await identityEvents(u.did);
    const r = await call(e.url, "com.atproto.identity.updateHandle", { token: u.accessJwt, body: { handle: `${next}.test` } });
    expect(r.status).toBe(200);
    const log = await plcLog(u.did);
    expect(log.length).toBe(opsBefore + 1);
    expect(log.at(-1).alsoKnownAs[0]).toBe(`at://${next}.test`);
    expect(await identityEvents(u.did)).toBe(eventsBefore + 1);
    expect(await accountRow(u.did)).toEqual({ name: next, external_handle: null });
    const audit = await e.sql("SELECT meta FROM audit_log WHERE action = 'account.handle.update' AND target_did = ?", u.did);
    expect(JSON.parse(audit[0].meta)).toEqual({ old: `${u.name}.test`, new: `${next}.test` });
    const desc = await ok(call(e.url, "com.atproto.repo.describeRepo", { params: { repo: u.did } }));
    expect({ handle: desc.handle, handleIsCorrect: desc.handleIsCorrect }).toEqual({ handle: `${next}.test`, handleIsCorrect: true });
    expectError(await call(e.url, "com.atproto.identity.resolveHandle", { params: { handle: `${u.name}.test` } }), 400, "HandleNotFound");
    // the old name is registrable again
    const again = await register(e, u.name, { email: `${uniq("m")}@example.org` });
    expect(again.did).not.toBe(u.did);
  });

  test("to an external domain that resolves to the caller", async () => {
    const u = await approvedUser(e);
    const ext = `${uniq("x")}.example.org`;
    dns.txt.set(`_atproto.${ext}`, [`did=${u.did}`]);
    await ok(call(e.url, "com.atproto.identity.updateHandle", { token: u.accessJwt, body: { handle: ext } }));
    expect(await accountRow(u.did)).toEqual({ name: null, external_handle: ext });
    expect((await plcLog(u.did)).at(-1).alsoKnownAs[0]).toBe(`at://${ext}`);
    const desc = await ok(call(e.url, "com.atproto.repo.describeRepo", { params: { repo: u.did } }));
    expect({ handle: desc.handle, handleIsCorrect: desc.handleIsCorrect }).toEqual({ handle: ext, handleIsCorrect: true });
  });

  test("bad inputs → exact errors, nothing changed", async () => {
    const u = await approvedUser(e);
    const other = await approvedUser(e);
    const elsewhere = `${uniq("y")}.example.org`;
    dns.txt.set(`_atproto.${elsewhere}`, [`did=${other.did}`]);
    const cases: Array<[string, number, string]> = [
      ["admin.test", 400, "InvalidRequest"], // reserved
      ["ab.test", 400, "InvalidRequest"], // too short
      ["a.b.test", 400, "InvalidRequest"], // two labels under the handle domain
      ["bad_name.example.org", 400, "InvalidRequest"], // lexicon format
      ["foo.example.local", 400, "InvalidRequest"], // disallowed TLD
      [`${other.name}.test`, 400, "HandleNotAvailable"], // taken
      [elsewhere, 400, "HandleNotAvailable"], // resolves to someone else
      [`${uniq("z")}.example.org`, 400, "HandleNotAvailable"], // resolves to nobody
    ];
    const opsBefore = (await plcLog(u.did)).length;
    for (const [handle, status, error] of cases) {
      const r = await call(e.url, "com.atproto.identity.updateHandle", { token: u.accessJwt, body: { handle } });
      expect({ handle, status: r.status, error: r.body?.error }).toEqual({ handle, status, error });
    }
    expect((await plcLog(u.did)).length).toBe(opsBefore);
    expect(await identityEvents(u.did)).toBe(1);
    expect(await accountRow(u.did)).toEqual({ name: u.name, external_handle: null });
    expect(await e.sql("SELECT count(*) AS n FROM audit_log WHERE action = 'account.handle.update' AND target_did = ?", u.did)).toEqual([{ n: 0 }]);
  });

  test("5 changes a day; the 6th → 429 and nothing changes", async () => {
    const u = await approvedUser(e);
    let name = u.name;
    for (let i = 0; i < 5; i++) {
      name = uniq("r");
      await ok(call(e.url, "com.atproto.identity.updateHandle", { token: u.accessJwt, body: { handle: `${name}.test` } }));
    }
    const opsBefore = (await plcLog(u.did)).length;
    const r = await call(e.url, "com.atproto.identity.updateHandle", { token: u.accessJwt, body: { handle: `${uniq("r")}.test` } });
    expectError(r, 429, "RateLimitExceeded");
    expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await plcLog(u.did)).length).toBe(opsBefore);
    expect(await accountRow(u.did)).toEqual({ name, external_handle: null });
  }, 60_000);
});

describe("submitPlcOperation", () => {
  async function opFor(u: { did: string; primaryRotationKey: { privateKeyHex: string } }, change: (d: any) => void, prev?: string) {
    const signer = await Secp256k1Keypair.import(u.primaryRotationKey.privateKeyHex);
    const data = await plcData(u.did);
    const log = await plcLog(u.did);
    const unsigned: any = {
      type: "plc_operation",
      rotationKeys: data.rotationKeys,
      verificationMethods: data.verificationMethods,
      alsoKnownAs: data.alsoKnownAs,
      services: data.services,
      prev: prev ?? cidForOp(log.at(-1)),
    };
    change(unsigned);
    return signPlcOp(unsigned, signer);
  }

  async function resign(op: Record<string, unknown>, key: Secp256k1Keypair) {
    const { sig: _sig, ...unsigned } = op;
    return signPlcOp(unsigned, key);
  }

  test("ops that break hosting here → 400 InvalidRequest, PLC log unchanged", async () => {
    const u = await approvedUser(e);
    const other = await Secp256k1Keypair.create();
    const genesisCid = cidForOp((await plcLog(u.did))[0]);
    await ok(call(e.url, "com.atproto.identity.updateHandle", { token: u.accessJwt, body: { handle: `${uniq("p")}.test` } }));
    const cases: Array<[string, any]> = [
      ["drops our recovery key", await opFor(u, (d) => (d.rotationKeys = [d.rotationKeys[0]]))],
      ["changes the signing key", await opFor(u, (d) => (d.verificationMethods = { atproto: other.did() }))],
      ["wrong endpoint", await opFor(u, (d) => (d.services = { atproto_pds: { type: "AtprotoPersonalDataServer", endpoint: "https://elsewhere.example.org" } }))],
      ["wrong prev", await opFor(u, () => {}, genesisCid)],
      ["wrong handle", await opFor(u, (d) => (d.alsoKnownAs = ["at://someone.example.org"]))],
      ["signed by a stranger", await resign(await opFor(u, () => {}), other)],
      ["not an operation", { hello: "world" }],
      ["a tombstone", { type: "plc_tombstone", prev: genesisCid, sig: "x" }],
    ];
    const opsBefore = (await plcLog(u.did)).length;
    const eventsBefore = await identityEvents(u.did);
    for (const [label, operation] of cases) {
      const r = await call(e.url, "com.atproto.identity.submitPlcOperation", { token: u.accessJwt, body: { operation } });
      expect({ label, status: r.status, error: r.body?.error }).toEqual({ label, status: 400, error: "InvalidRequest" });
    }
    expect((await plcLog(u.did)).length).toBe(opsBefore);
    expect(await identityEvents(u.did)).toBe(eventsBefore);
  });

  test("a valid op signed with the primary rotation key → forwarded, #identity, audit", async () => {
    const u = await approvedUser(e);
    const extraKey = (await Secp256k1Keypair.create()).did();
    const op = await opFor(u, (d) => (d.rotationKeys = [...d.rotationKeys, extraKey]));
    const opsBefore = (await plcLog(u.did)).length;
    const eventsBefore = await identityEvents(u.did);
    const r = await call(e.url, "com.atproto.identity.submitPlcOperation", { token: u.accessJwt, body: { operation: op } });
    expect(r.status).toBe(200);
    const log = await plcLog(u.did);
    expect(log.length).toBe(opsBefore + 1);
    expect(log.at(-1).rotationKeys).toContain(extraKey);
    expect(await identityEvents(u.did)).toBe(eventsBefore + 1);
    expect(await e.sql("SELECT count(*) AS n FROM audit_log WHERE action = 'identity.submitPlcOperation' AND target_did = ?", u.did)).toEqual([{ n: 1 }]);
  });
});

// the signing flow itself (mailed token, signed op accepted by the directory) is tested in test/mail/self-delete-plc.test.ts
test("requestPlcOperationSignature / signPlcOperation need a session; signPlcOperation without a token → 400", async () => {
  for (const nsid of ["com.atproto.identity.requestPlcOperationSignature", "com.atproto.identity.signPlcOperation"]) {
    expectError(await call(e.url, nsid, { body: {} }), 401, "AuthRequired");
  }
  const u = await approvedUser(e);
  expectError(await call(e.url, "com.atproto.identity.signPlcOperation", { token: u.accessJwt, body: {} }), 400, "InvalidRequest");
});
