// External identity keys (06 §6) against the real server: SSH and Nostr keys published and resolved, every
// InvalidPublicKey message, rotation, TooManyKeys, KeyNotFound, approved-only resolution, the discovery limiter.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { base58btc } from "multiformats/bases/base58";
import { ed25519 } from "@noble/curves/ed25519";
import { schnorr, secp256k1 } from "@noble/curves/secp256k1";
import { p256 } from "@noble/curves/p256";
import { startBlobPds, type BlobPds } from "../blob/_support.ts";
import { ok, xrpc, verifiedRepoRecords } from "../e2e/_xrpc.ts";
import { FirehoseClient } from "../firehose/_client.ts";

const SET = "net.openfederation.identity.setExternalKey";
const COLL = "net.openfederation.identity.externalKey";
const multikey = (prefix: number[], key: Uint8Array) => base58btc.encode(new Uint8Array([...prefix, ...key]));
const ED = [0xed, 0x01], X = [0xec, 0x01], K1 = [0xe7, 0x01], P256 = [0x80, 0x24];

/** The 32 key bytes of an `ssh-ed25519 AAAA… comment` line (RFC 8709 wire format: string type, string key). */
function sshEd25519(line: string): Uint8Array {
  const blob = Buffer.from(line.split(" ")[1]!, "base64");
  const typeLen = blob.readUInt32BE(0);
  expect(blob.subarray(4, 4 + typeLen).toString()).toBe("ssh-ed25519");
  const keyLen = blob.readUInt32BE(4 + typeLen);
  return new Uint8Array(blob.subarray(8 + typeLen, 8 + typeLen + keyLen));
}
function sshLine(pub: Uint8Array): string {
  const t = Buffer.from("ssh-ed25519");
  const blob = Buffer.concat([Buffer.from([0, 0, 0, t.length]), t, Buffer.from([0, 0, 0, 32]), Buffer.from(pub)]);
  return `ssh-ed25519 ${blob.toString("base64")} alice@laptop`;
}

let env: BlobPds;
let alice: { did: string; token: string };
let bob: { did: string; token: string };
const head = (did: string) => env.sql((db) => db.get<{ commit_cid: string }>("SELECT commit_cid FROM repo_roots WHERE did = ?", [did]));

beforeAll(async () => {
  env = await startBlobPds();
  alice = await env.user("alice");
  bob = await env.user("bob");
}, 60_000);
afterAll(() => env.stop());

describe("external keys", () => {
  const sshKey = multikey(ED, sshEd25519(sshLine(ed25519.getPublicKey(ed25519.utils.randomPrivateKey()))));
  // Nostr keys are BIP-340 x-only; given as the compressed point with the even-y prefix 0x02 (docs/keys.md)
  const nostrKey = multikey(K1, new Uint8Array([0x02, ...schnorr.getPublicKey(schnorr.utils.randomPrivateKey())]));

  test("a member publishes an SSH and a Nostr key; resolveByKey, get and list find them; records are in the repo CAR", async () => {
    const ssh = await ok(xrpc(env.pds.url, SET, { token: alice.token, body: { rkey: "laptop-ssh", type: "ed25519", purpose: "ssh", publicKey: sshKey, label: "Laptop" } }));
    expect(ssh.uri).toBe(`at://${alice.did}/${COLL}/laptop-ssh`);
    await ok(xrpc(env.pds.url, SET, { token: alice.token, body: { rkey: "nostr", type: "secp256k1", purpose: "nostr", publicKey: nostrKey } }));
    const bySsh = await ok(xrpc(env.pds.url, "net.openfederation.identity.resolveByKey", { params: { publicKey: sshKey } }));
    expect(bySsh.claimants).toEqual([expect.objectContaining({ did: alice.did, handle: expect.stringMatching(/^alice\./), rkey: "laptop-ssh", type: "ed25519", purpose: "ssh" })]);
    const byNostr = await ok(xrpc(env.pds.url, "net.openfederation.identity.resolveByKey", { params: { publicKey: nostrKey, purpose: "nostr" } }));
    expect(byNostr.claimants.map((c: any) => c.rkey)).toEqual(["nostr"]);
    const got = await ok(xrpc(env.pds.url, "net.openfederation.identity.getExternalKey", { params: { did: alice.did, rkey: "laptop-ssh" } }));
    expect(got).toMatchObject({ rkey: "laptop-ssh", publicKey: sshKey, label: "Laptop" });
    const list = await ok(xrpc(env.pds.url, "net.openfederation.identity.listExternalKeys", { params: { did: alice.did, purpose: "nostr" } }));
    expect(list.keys.map((k: any) => k.rkey)).toEqual(["nostr"]);
    const car = await verifiedRepoRecords(env.pds.url, env.pds.plcUrl, alice.did);
    expect(car.get(`${COLL}/laptop-ssh`)).toBe(ssh.cid);
    const fh = new FirehoseClient(env.pds.url, 0);
    try {
      await fh.opened;
      const frames = await fh.until((fs) => fs.some((f) => f.t === "#commit" && f.body.ops?.some((o: any) => o.path === `${COLL}/laptop-ssh`)));
      const commit = frames.find((f) => f.t === "#commit" && f.body.ops?.some((o: any) => o.path === `${COLL}/laptop-ssh`))!;
      expect(commit.body.repo).toBe(alice.did);
    } finally {
      fh.close();
    }
    const audit = (await env.sql((db) => db.get<{ n: number }>("SELECT count(*) AS n FROM audit_log WHERE action = 'identity.setExternalKey' AND actor_did = ?", [alice.did])))!;
    expect(audit.n).toBe(2);
  });

  test("same rkey twice = rotation; two claimants come back earliest first", async () => {
    const k1 = multikey(ED, ed25519.getPublicKey(ed25519.utils.randomPrivateKey()));
    const k2 = multikey(ED, ed25519.getPublicKey(ed25519.utils.randomPrivateKey()));
    await ok(xrpc(env.pds.url, SET, { token: bob.token, body: { rkey: "mesh", type: "ed25519", purpose: "meshtastic", publicKey: k1 } }));
    await ok(xrpc(env.pds.url, SET, { token: bob.token, body: { rkey: "mesh", type: "ed25519", purpose: "meshtastic", publicKey: k2 } }));
    const rotated = await xrpc(env.pds.url, "net.openfederation.identity.resolveByKey", { params: { publicKey: k1 } });
    expect([rotated.status, rotated.body.error]).toEqual([404, "KeyNotFound"]);
    env.pds.advanceClock(1000);
    await ok(xrpc(env.pds.url, SET, { token: alice.token, body: { rkey: "shared", type: "ed25519", purpose: "meshtastic", publicKey: k2 } }));
    const both = await ok(xrpc(env.pds.url, "net.openfederation.identity.resolveByKey", { params: { publicKey: k2 } }));
    expect(both.claimants.map((c: any) => c.did)).toEqual([bob.did, alice.did]);
    const page1 = await ok(xrpc(env.pds.url, "net.openfederation.identity.resolveByKey", { params: { publicKey: k2, limit: 1 } }));
    const page2 = await ok(xrpc(env.pds.url, "net.openfederation.identity.resolveByKey", { params: { publicKey: k2, limit: 1, cursor: page1.cursor } }));
    expect([page1.claimants[0].did, page2.claimants[0].did, page2.cursor]).toEqual([bob.did, alice.did, undefined]);
  });

  const offCurveK1 = (() => {
    for (let x = 5; ; x++) {
      const b = new Uint8Array(33);
      b[0] = 0x02;
      b[32] = x;
      try {
        secp256k1.ProjectivePoint.fromHex(b);
      } catch {
        return b;
      }
    }
  })();
  const p256Key = p256.getPublicKey(p256.utils.randomPrivateKey(), true);
  const rows: Array<[string, string, string]> = [
    ["rsa", multikey(ED, new Uint8Array(32)), "Unsupported key type"],
    ["ed25519", "f" + "ab".repeat(34), "Public key must be multibase base58btc (z…)"],
    ["ed25519", "z0OIl", "Invalid base58 encoding"],
    ["ed25519", "z" + base58btc.baseEncode(new Uint8Array([0xed, 0x01])), "Key too short"],
    ["x25519", multikey(ED, new Uint8Array(32).fill(9)), "Multicodec prefix does not match type"],
    ["p256", multikey(P256, p256Key.slice(0, 32)), "Invalid key length: expected 33 bytes, got 32"],
    ["secp256k1", multikey(K1, offCurveK1), "Not a valid curve point"],
  ];
  for (const [type, publicKey, message] of rows) {
    test(`InvalidPublicKey: ${message}; nothing written`, async () => {
      const before = await head(alice.did);
      const r = await xrpc(env.pds.url, SET, { token: alice.token, body: { rkey: "bad", type, purpose: "test", publicKey } });
      expect([r.status, r.body.error, r.body.message]).toEqual([400, "InvalidPublicKey", message]);
      expect(await head(alice.did)).toEqual(before);
    });
  }

  test("valid x25519 and p256 keys are accepted", async () => {
    await ok(xrpc(env.pds.url, SET, { token: bob.token, body: { rkey: "wg", type: "x25519", purpose: "wireguard", publicKey: multikey(X, new Uint8Array(32).fill(7)) } }));
    await ok(xrpc(env.pds.url, SET, { token: bob.token, body: { rkey: "p", type: "p256", purpose: "test", publicKey: multikey(P256, p256Key) } }));
    // accepted means stored as given: read both back
    const wg = await ok(xrpc(env.pds.url, "net.openfederation.identity.getExternalKey", { params: { did: bob.did, rkey: "wg" } }));
    expect([wg.rkey, wg.type, wg.purpose, wg.publicKey]).toEqual(["wg", "x25519", "wireguard", multikey(X, new Uint8Array(32).fill(7))]);
    const p = await ok(xrpc(env.pds.url, "net.openfederation.identity.getExternalKey", { params: { did: bob.did, rkey: "p" } }));
    expect([p.rkey, p.type, p.purpose, p.publicKey]).toEqual(["p", "p256", "test", multikey(P256, p256Key)]);
  });

  test("bad rkey or purpose → 400 InvalidRequest; unknown rkey → 404 KeyNotFound; nothing written; delete removes it", async () => {
    const key = multikey(ED, ed25519.getPublicKey(ed25519.utils.randomPrivateKey()));
    const before = await head(bob.did);
    for (const body of [{ rkey: "-x", type: "ed25519", purpose: "ssh", publicKey: key }, { rkey: "ok", type: "ed25519", purpose: "tab\there", publicKey: key }]) {
      const r = await xrpc(env.pds.url, SET, { token: bob.token, body });
      expect([r.status, r.body.error]).toEqual([400, "InvalidRequest"]);
    }
    const missing = await xrpc(env.pds.url, "net.openfederation.identity.deleteExternalKey", { token: bob.token, body: { rkey: "nope" } });
    expect([missing.status, missing.body.error]).toEqual([404, "KeyNotFound"]);
    expect(await head(bob.did)).toEqual(before);
    const gone = await xrpc(env.pds.url, "net.openfederation.identity.getExternalKey", { params: { did: bob.did, rkey: "nope" } });
    expect([gone.status, gone.body.error]).toEqual([404, "KeyNotFound"]);
    await ok(xrpc(env.pds.url, "net.openfederation.identity.deleteExternalKey", { token: bob.token, body: { rkey: "wg" } }));
    const after = await xrpc(env.pds.url, "net.openfederation.identity.getExternalKey", { params: { did: bob.did, rkey: "wg" } });
    expect(after.status).toBe(404);
    const empty = await ok(xrpc(env.pds.url, "net.openfederation.identity.listExternalKeys", { params: { did: "did:plc:notherenotherenothere" } }));
    expect(empty).toEqual({ keys: [] });
  });

  test("generic repo writes cannot touch the collection", async () => {
    const r = await xrpc(env.pds.url, "com.atproto.repo.putRecord", { token: alice.token, body: { repo: alice.did, collection: COLL, rkey: "x", record: { type: "ed25519", purpose: "x", publicKey: "z", createdAt: new Date().toISOString() } } });
    expect([r.status, r.body.error]).toEqual([400, "InvalidRequest"]);
  });

  test("101st key → 409 TooManyKeys, nothing written; rotating an existing rkey still works", async () => {
    const carol = await env.user("carol");
    const key = () => multikey(ED, ed25519.getPublicKey(ed25519.utils.randomPrivateKey()));
    for (let i = 0; i < 100; i++) await ok(xrpc(env.pds.url, SET, { token: carol.token, body: { rkey: `k${i}`, type: "ed25519", purpose: "bulk", publicKey: key() } }));
    const before = await head(carol.did);
    const r = await xrpc(env.pds.url, SET, { token: carol.token, body: { rkey: "k100", type: "ed25519", purpose: "bulk", publicKey: key() } });
    expect([r.status, r.body.error]).toEqual([409, "TooManyKeys"]);
    expect(await head(carol.did)).toEqual(before);
    await ok(xrpc(env.pds.url, SET, { token: carol.token, body: { rkey: "k7", type: "ed25519", purpose: "bulk", publicKey: key() } }));
  }, 60_000);

  test("resolveByKey lists approved accounts only", async () => {
    await env.sql((db) => db.run("UPDATE accounts SET status = 'suspended' WHERE did = ?", [alice.did]));
    try {
      const r = await xrpc(env.pds.url, "net.openfederation.identity.resolveByKey", { params: { publicKey: sshKey } });
      expect([r.status, r.body.error]).toEqual([404, "KeyNotFound"]);
      const list = await xrpc(env.pds.url, "net.openfederation.identity.listExternalKeys", { params: { did: alice.did } });
      expect([list.status, list.body.error]).toEqual([400, "RepoSuspended"]);
    } finally {
      await env.sql((db) => db.run("UPDATE accounts SET status = 'approved' WHERE did = ?", [alice.did]));
    }
  });
});
