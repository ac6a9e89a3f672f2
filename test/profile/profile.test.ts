// Profiles (06 §5) against the real server: standard-mode merge into app.bsky.actor.profile/self, custom
// *.actor.profile records, the 400 rows proven to write nothing, getProfile, and the discovery limiter (06 §11).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startBlobPds, upload, type BlobPds } from "../blob/_support.ts";
import { startPds } from "../_support/pds.ts";
import { ok, xrpc } from "../e2e/_xrpc.ts";

const UPDATE = "net.openfederation.account.updateProfile";
const GET = "net.openfederation.account.getProfile";
let env: BlobPds;
let alice: { did: string; token: string };
const head = (did: string) => env.sql((db) => db.get<{ commit_cid: string }>("SELECT commit_cid FROM repo_roots WHERE did = ?", [did]));
// smallest valid PNG header is enough for the blob store's mime sniffing to be irrelevant: the type is declared
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);

beforeAll(async () => {
  env = await startBlobPds();
  alice = await env.user("alice");
}, 60_000);
afterAll(() => env.stop());

describe("updateProfile / getProfile", () => {
  test("standard mode merges fields, null clears one; getProfile and getRecord show it", async () => {
    const blob = (await upload(env.pds.url, alice.token, PNG, "image/png")).body.blob;
    const r1 = await ok(xrpc(env.pds.url, UPDATE, { token: alice.token, body: { displayName: "Alice A.", description: "hello", avatar: blob } }));
    expect(r1.uri).toBe(`at://${alice.did}/app.bsky.actor.profile/self`);
    expect(r1.validationStatus).toBe("valid");
    await ok(xrpc(env.pds.url, UPDATE, { token: alice.token, body: { description: null } }));
    const rec = await ok(xrpc(env.pds.url, "com.atproto.repo.getRecord", { params: { repo: alice.did, collection: "app.bsky.actor.profile", rkey: "self" } }));
    expect(rec.value).toMatchObject({ $type: "app.bsky.actor.profile", displayName: "Alice A.", avatar: { ref: blob.ref } });
    expect(rec.value.description).toBeUndefined();
    const got = await ok(xrpc(env.pds.url, GET, { params: { did: "alice" } }));
    expect(got).toMatchObject({ did: alice.did, handle: expect.stringMatching(/^alice\./), profile: { displayName: "Alice A." } });
    expect(got.customProfiles).toBeUndefined();
  });

  test("concurrent updates of different fields both survive (swapRecord merge retry)", async () => {
    const profileRecord = async () => (await ok(xrpc(env.pds.url, "com.atproto.repo.getRecord", { params: { repo: alice.did, collection: "app.bsky.actor.profile", rkey: "self" } }))).value;
    // the avatar set by the previous test: an untouched field every concurrent merge must carry over
    const avatarBefore = (await profileRecord()).avatar;
    expect(avatarBefore).toMatchObject({ $type: "blob", mimeType: "image/png" });
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => xrpc(env.pds.url, UPDATE, { token: alice.token, body: i % 2 ? { displayName: `Name ${i}` } : { description: `Desc ${i}` } })),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const got = await ok(xrpc(env.pds.url, GET, { params: { did: alice.did } }));
    expect(got.profile.displayName).toMatch(/^Name /);
    expect(got.profile.description).toMatch(/^Desc /);
    expect((await profileRecord()).avatar).toEqual(avatarBefore);
  });

  test("Bluesky lexicon limits apply: a 65-grapheme displayName → 400, nothing written", async () => {
    const before = await head(alice.did);
    const r = await xrpc(env.pds.url, UPDATE, { token: alice.token, body: { displayName: "x".repeat(65) } });
    expect([r.status, r.body.error]).toEqual([400, "InvalidRequest"]);
    expect(await head(alice.did)).toEqual(before);
  });

  test("custom mode writes <collection>/self with $type; getProfile lists it", async () => {
    const r = await ok(xrpc(env.pds.url, UPDATE, { token: alice.token, body: { collection: "com.example.actor.profile", record: { bio: "gamer", level: 7 } } }));
    expect(r.uri).toBe(`at://${alice.did}/com.example.actor.profile/self`);
    const got = await ok(xrpc(env.pds.url, GET, { params: { did: alice.did } }));
    expect(got.customProfiles).toEqual({ "com.example.actor.profile": { $type: "com.example.actor.profile", bio: "gamer", level: 7 } });
  });

  const bad: Array<[string, Record<string, unknown>]> = [
    ["custom mode with a non-profile NSID", { collection: "app.bsky.feed.post", record: { text: "hi" } }],
    ["custom mode with app.bsky.actor.profile", { collection: "app.bsky.actor.profile", record: { displayName: "x" } }],
    ["custom mode under net.openfederation.", { collection: "net.openfederation.actor.profile", record: {} }],
    ["an invalid NSID", { collection: "not an nsid", record: {} }],
    ["collection without record", { collection: "com.example.actor.profile" }],
    ["record without collection", { record: { a: 1 } }],
    ["mixed modes", { displayName: "x", collection: "com.example.actor.profile", record: {} }],
    ["an oversize record (> 64 kB)", { collection: "com.example.actor.profile", record: { blob: "x".repeat(64 * 1024) } }],
    ["no field at all", {}],
    ["an undeclared field", { pronouns: "they" }],
  ];
  for (const [name, body] of bad) {
    test(`400 InvalidRequest for ${name}; repo head unchanged`, async () => {
      const before = await head(alice.did);
      const r = await xrpc(env.pds.url, UPDATE, { token: alice.token, body });
      expect([r.status, r.body.error]).toEqual([400, "InvalidRequest"]);
      expect(await head(alice.did)).toEqual(before);
    });
  }

  test("unauthenticated update → 401; unknown account → 404 ProfileNotFound; moderated → RepoSuspended", async () => {
    const anon = await xrpc(env.pds.url, UPDATE, { body: { displayName: "x" } });
    expect(anon.status).toBe(401);
    const missing = await xrpc(env.pds.url, GET, { params: { did: "did:plc:notherenotherenothere" } });
    expect([missing.status, missing.body.error]).toEqual([404, "ProfileNotFound"]);
    const bob = await env.user("bob");
    await env.sql((db) => db.run("UPDATE accounts SET status = 'suspended' WHERE did = ?", [bob.did]));
    const susp = await xrpc(env.pds.url, GET, { params: { did: bob.did } });
    expect([susp.status, susp.body.error]).toEqual([400, "RepoSuspended"]);
  });
});

describe("discovery limiter (06 §11)", () => {
  test("getProfile, listExternalKeys, getExternalKey and resolveByKey share the per-IP discovery bucket", async () => {
    const pds = await startPds({ DISCOVERY_RATE_LIMIT: "3", RATE_LIMIT_EXEMPT_CIDRS: "10.255.255.255/32" });
    try {
      const calls = [
        () => xrpc(pds.url, GET, { params: { did: "did:plc:notherenotherenothere" } }),
        () => xrpc(pds.url, "net.openfederation.identity.listExternalKeys", { params: { did: "did:plc:notherenotherenothere" } }),
        () => xrpc(pds.url, "net.openfederation.identity.getExternalKey", { params: { did: "did:plc:notherenotherenothere", rkey: "a" } }),
        () => xrpc(pds.url, "net.openfederation.identity.resolveByKey", { params: { publicKey: "z6Mk" } }),
      ];
      const statuses = [];
      for (const c of calls) statuses.push((await c()).status);
      expect(statuses).toEqual([404, 200, 404, 429]);
      const limited = await calls[0]!();
      expect([limited.status, limited.body.error]).toEqual([429, "RateLimitExceeded"]);
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(limited.headers.get("ratelimit-limit")).toBe("3");
    } finally {
      await pds.stop();
    }
  }, 60_000);
});
