// External keys in a repo brought in by com.atproto.repo.importRepo (account migration) are indexed in the import's
// transaction: after activation resolveByKey finds them; invalid key records stay in the repo but are not resolvable.
// Two servers on one PLC directory: a hand-built CAR on the first, then a real A → B migration.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { base58btc } from "multiformats/bases/base58";
import { ed25519 } from "@noble/curves/ed25519";
import { schnorr } from "@noble/curves/secp256k1";
import * as plcLib from "@did-plc/lib";
import { Secp256k1Keypair } from "@atproto/crypto";
import { call, invite, ok, PASSWORD, startEnv, uniq, type Env } from "../account/_support.ts";
import { createTestDid, repoCar, serviceJwt } from "../lifecycle/_support.ts";

const COLL = "net.openfederation.identity.externalKey";
const multikey = (prefix: number[], key: Uint8Array) => base58btc.encode(new Uint8Array([...prefix, ...key]));
const sshKey = multikey([0xed, 0x01], ed25519.getPublicKey(ed25519.utils.randomPrivateKey()));
const nostrKey = multikey([0xe7, 0x01], new Uint8Array([0x02, ...schnorr.getPublicKey(schnorr.utils.randomPrivateKey())]));
const badKey = multikey([0xed, 0x01], new Uint8Array(31)); // one byte short
const CLAIMED = "2024-05-01T10:00:00.000Z";

let e: Env;
let B: Env;
beforeAll(async () => {
  e = await startEnv({ APPROVAL_REQUIRED: "false" });
  // a second server on e's PLC directory: the destination of a real export → import migration
  B = await startEnv({ APPROVAL_REQUIRED: "false", PLC_URL: e.pds.plcUrl });
}, 60_000);
afterAll(async () => {
  await Promise.all([e?.stop(), B?.stop()]);
});

const resolve = (publicKey: string) => call(e.url, "net.openfederation.identity.resolveByKey", { params: { publicKey } });

test("an imported repo's SSH and Nostr keys resolve after activation; an invalid key record is kept but not indexed", async () => {
  const d = await createTestDid(e.pds.plcUrl);
  const token = await serviceJwt(d.signing, { iss: d.did, aud: e.serviceDid });
  const name = uniq("kimp");
  const acct = await ok(call(e.url, "com.atproto.server.createAccount", { body: { handle: `${name}.test`, email: `${name}@example.org`, password: PASSWORD, inviteCode: await invite(e), did: d.did }, headers: { authorization: `Bearer ${token}` } }));
  const key = (rkey: string, record: Record<string, unknown>) => ({ collection: COLL, rkey, record: { $type: COLL, createdAt: CLAIMED, ...record } });
  const { car } = await repoCar(d.did, d.signing, [
    key("laptop-ssh", { type: "ed25519", purpose: "ssh", publicKey: sshKey, label: "Laptop" }),
    key("nostr", { type: "secp256k1", purpose: "nostr", publicKey: nostrKey, createdAt: "2099-01-01T00:00:00.000Z" }),
    key("broken", { type: "ed25519", purpose: "ssh", publicKey: badKey }),
    { collection: "app.example.note", rkey: "n1", record: { $type: "app.example.note", text: "hello" } },
  ]);
  const post = (bytes: Uint8Array) => fetch(`${e.url}/xrpc/com.atproto.repo.importRepo`, { method: "POST", headers: { authorization: `Bearer ${acct.accessJwt}`, "content-type": "application/vnd.ipld.car" }, body: bytes as Uint8Array<ArrayBuffer> });
  // an earlier import with another key: the next import replaces the whole index (no stale row survives)
  const staleKey = multikey([0xed, 0x01], ed25519.getPublicKey(ed25519.utils.randomPrivateKey()));
  expect((await post((await repoCar(d.did, d.signing, [key("laptop-ssh", { type: "ed25519", purpose: "ssh", publicKey: staleKey }), key("old", { type: "ed25519", purpose: "ssh", publicKey: staleKey })])).car)).status).toBe(200);
  expect((await e.sql<{ rkey: string }>("SELECT rkey FROM external_keys WHERE did = ? ORDER BY rkey", d.did)).map((r) => r.rkey)).toEqual(["laptop-ssh", "old"]);
  const before = Date.now();
  expect((await post(car)).status).toBe(200);
  // indexed in the import's transaction (the broken one is not), but not resolvable while the account is deactivated
  expect((await e.sql<{ rkey: string }>("SELECT rkey FROM external_keys WHERE did = ? ORDER BY rkey", d.did)).map((r) => r.rkey)).toEqual(["laptop-ssh", "nostr"]);
  expect((await e.sql("SELECT COUNT(*) AS n FROM records WHERE did = ? AND collection = ?", d.did, COLL))[0].n).toBe(3);
  const early = await resolve(sshKey);
  expect([early.status, early.body.error]).toEqual([404, "KeyNotFound"]);

  // point the DID here (we hold its rotation key) and activate: the keys resolve
  const creds = await ok(call(e.url, "com.atproto.identity.getRecommendedDidCredentials", { token: acct.accessJwt }));
  const lastOp = await (await fetch(`${e.pds.plcUrl}/${d.did}/log/last`)).json();
  const op = await plcLib.createUpdateOp(lastOp, d.rotation, (prev) => ({ ...prev, rotationKeys: [d.rotation.did(), ...creds.rotationKeys], verificationMethods: { atproto: creds.verificationMethods.atproto }, alsoKnownAs: creds.alsoKnownAs, services: creds.services }));
  await ok(call(e.url, "com.atproto.identity.submitPlcOperation", { token: acct.accessJwt, body: { operation: op } }));
  await ok(call(e.url, "com.atproto.server.activateAccount", { token: acct.accessJwt, body: {} }));

  const bySsh = await ok(resolve(sshKey));
  expect(bySsh.claimants).toEqual([{ did: d.did, handle: `${name}.test`, rkey: "laptop-ssh", type: "ed25519", purpose: "ssh", createdAt: CLAIMED }]);
  const byNostr = await ok(resolve(nostrKey));
  expect(byNostr.claimants.map((c: any) => c.rkey)).toEqual(["nostr"]);
  // a future claim time is clamped to the import time
  expect(Date.parse(byNostr.claimants[0].createdAt)).toBeGreaterThanOrEqual(before - 1000);
  expect(Date.parse(byNostr.claimants[0].createdAt)).toBeLessThanOrEqual(Date.now());
  const stale = await resolve(staleKey);
  expect([stale.status, stale.body.error]).toEqual([404, "KeyNotFound"]);
  const broken = await resolve(badKey);
  expect([broken.status, broken.body.error]).toEqual([404, "KeyNotFound"]);
  const list = await ok(call(e.url, "net.openfederation.identity.listExternalKeys", { params: { did: d.did } }));
  expect(list.keys.map((k: any) => k.rkey)).toEqual(["laptop-ssh", "nostr"]);
  // the invalid record is still the user's data in the repo, and the server said why it was not indexed
  const rec = await ok(call(e.url, "com.atproto.repo.getRecord", { params: { repo: d.did, collection: COLL, rkey: "broken" } }));
  expect(rec.value.publicKey).toBe(badKey);
  expect(e.pds.logs()).toContain("imported external keys not indexed");

}, 60_000);

test("migration: keys published on A through setExternalKey, exported with getRepo, imported on B, resolve on B", async () => {
  const name = uniq("kmov");
  const reg = await ok(call(e.url, "com.atproto.server.createAccount", { body: { handle: `${name}.test`, email: `${name}@example.org`, password: PASSWORD, inviteCode: await invite(e) } }));
  const did: string = reg.did;
  const ssh = multikey([0xed, 0x01], ed25519.getPublicKey(ed25519.utils.randomPrivateKey()));
  const nostr = multikey([0xe7, 0x01], new Uint8Array([0x02, ...schnorr.getPublicKey(schnorr.utils.randomPrivateKey())]));
  const SET = "net.openfederation.identity.setExternalKey";
  await ok(call(e.url, SET, { token: reg.accessJwt, body: { rkey: "laptop-ssh", type: "ed25519", purpose: "ssh", publicKey: ssh } }));
  await ok(call(e.url, SET, { token: reg.accessJwt, body: { rkey: "nostr", type: "secp256k1", purpose: "nostr", publicKey: nostr } }));
  const onA = (await ok(call(e.url, "net.openfederation.identity.listExternalKeys", { params: { did } }))).keys;

  const { token } = await ok(call(e.url, "com.atproto.server.getServiceAuth", { token: reg.accessJwt, params: { aud: B.serviceDid, lxm: "com.atproto.server.createAccount" } }));
  const acct = await ok(call(B.url, "com.atproto.server.createAccount", { body: { handle: `${name}.test`, email: `${name}@example.org`, password: PASSWORD, inviteCode: await invite(B), did }, headers: { authorization: `Bearer ${token}` } }));
  const car = new Uint8Array(await (await fetch(`${e.url}/xrpc/com.atproto.sync.getRepo?did=${did}`)).arrayBuffer());
  const imp = await fetch(`${B.url}/xrpc/com.atproto.repo.importRepo`, { method: "POST", headers: { authorization: `Bearer ${acct.accessJwt}`, "content-type": "application/vnd.ipld.car" }, body: car as Uint8Array<ArrayBuffer> });
  expect(imp.status).toBe(200);

  // the PLC update signed with the holder's primary rotation key, then activation on B
  const primary = await Secp256k1Keypair.import(reg.primaryRotationKey.privateKeyHex);
  const creds = await ok(call(B.url, "com.atproto.identity.getRecommendedDidCredentials", { token: acct.accessJwt }));
  const lastOp = await (await fetch(`${e.pds.plcUrl}/${did}/log/last`)).json();
  const op = await plcLib.createUpdateOp(lastOp, primary, (prev) => ({ ...prev, rotationKeys: [primary.did(), ...creds.rotationKeys], verificationMethods: { atproto: creds.verificationMethods.atproto }, alsoKnownAs: creds.alsoKnownAs, services: creds.services }));
  await ok(call(B.url, "com.atproto.identity.submitPlcOperation", { token: acct.accessJwt, body: { operation: op } }));
  await ok(call(B.url, "com.atproto.server.activateAccount", { token: acct.accessJwt, body: {} }));

  // B resolves both keys with A's claim times; its list matches A's
  for (const [publicKey, rkey] of [[ssh, "laptop-ssh"], [nostr, "nostr"]] as const) {
    const r = await ok(call(B.url, "net.openfederation.identity.resolveByKey", { params: { publicKey } }));
    expect(r.claimants).toEqual([expect.objectContaining({ did, rkey, createdAt: onA.find((k: any) => k.rkey === rkey).createdAt })]);
  }
  expect((await ok(call(B.url, "net.openfederation.identity.listExternalKeys", { params: { did } }))).keys).toEqual(onA);
}, 60_000);
