// com.atproto.repo.* / sync.* over HTTP against a real `ofpds serve --dev`: status, error name, and what must not change.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readCarWithRoot, verifyRecords } from "@atproto/repo";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { ok, plcSigningKey, xrpc } from "../e2e/_xrpc.ts";
import { rk } from "../_support/rkey.ts";

const ADMIN = { email: "admin@example.org", handle: "admin", password: "Admin-password-123" };
let pds: RunningPds;
let admin: string;
let did: string;
let token: string;
const post = (text: string) => ({ $type: "app.bsky.feed.post", text, createdAt: "2026-01-01T00:00:00.000Z" });

beforeAll(async () => {
  pds = await startPds({ BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, BOOTSTRAP_ADMIN_HANDLE: ADMIN.handle, BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password, RATE_LIMITS_ENABLED: "false" });
  admin = (await ok(xrpc(pds.url, "com.atproto.server.createSession", { body: { identifier: ADMIN.handle, password: ADMIN.password } }))).accessJwt;
  const invite = await ok(xrpc(pds.url, "net.openfederation.invite.create", { token: admin, body: { maxUses: 1 } }));
  const password = "Pw-carol-2026-long";
  const reg = await ok(xrpc(pds.url, "net.openfederation.account.register", { body: { handle: "carol", email: "carol@example.org", password, inviteCode: invite.code } }));
  await ok(xrpc(pds.url, "net.openfederation.account.approve", { token: admin, body: { did: reg.did } }));
  did = reg.did;
  token = (await ok(xrpc(pds.url, "com.atproto.server.createSession", { body: { identifier: "carol", password } }))).accessJwt;
  await ok(xrpc(pds.url, "com.atproto.repo.putRecord", { token, body: { repo: did, collection: "app.bsky.feed.post", rkey: rk("existing"), record: post("x") } }));
}, 60_000);
afterAll(async () => {
  await pds?.stop();
});

const head = async () => (await ok(xrpc(pds.url, "com.atproto.sync.getLatestCommit", { params: { did } }))) as { cid: string; rev: string };

describe("write errors change nothing", () => {
  const cases: Array<[string, string, () => Record<string, unknown>, number, string]> = [
    ["$type differs", "com.atproto.repo.createRecord", () => ({ repo: did, collection: "app.bsky.feed.post", record: { ...post("x"), $type: "app.bsky.feed.like" } }), 400, "InvalidRequest"],
    ["validate:true on unknown", "com.atproto.repo.createRecord", () => ({ repo: did, collection: "com.example.nope", validate: true, record: { a: 1 } }), 400, "InvalidRequest"],
    ["rkey ..", "com.atproto.repo.putRecord", () => ({ repo: did, collection: "app.bsky.feed.post", rkey: "..", record: post("x") }), 400, "InvalidRequest"],
    ["profile rkey not self", "com.atproto.repo.putRecord", () => ({ repo: did, collection: "app.bsky.actor.profile", rkey: "me", record: {} }), 400, "InvalidRequest"],
    ["managed collection", "com.atproto.repo.createRecord", () => ({ repo: did, collection: "net.openfederation.community.role", record: { a: 1 } }), 400, "InvalidRequest"],
    // NSID domain parts are case-insensitive: another letter case is the same managed collection (ISSUE8 §5)
    ["managed collection, upper-case domain", "com.atproto.repo.putRecord", () => ({ repo: did, collection: "NET.openfederation.community.member", rkey: "m1", record: { a: 1 } }), 400, "InvalidRequest"],
    ["managed collection, mixed-case domain", "com.atproto.repo.createRecord", () => ({ repo: did, collection: "Net.OpenFederation.identity.externalKey", record: { a: 1 } }), 400, "InvalidRequest"],
    ["managed collection, mixed case in applyWrites", "com.atproto.repo.applyWrites", () => ({ repo: did, writes: [{ $type: "com.atproto.repo.applyWrites#create", collection: "net.OPENFEDERATION.community.role", rkey: "r1", value: { a: 1 } }] }), 400, "InvalidRequest"],
    // the AT data model holds on every write, whatever `validate` says (ISSUE8 §5)
    ["$link not a CID, validate:false", "com.atproto.repo.createRecord", () => ({ repo: did, collection: "com.example.thing", validate: false, record: { l: { $link: "notacid" } } }), 400, "InvalidRequest"],
    ["$link not a CID, known lexicon", "com.atproto.repo.createRecord", () => ({ repo: did, collection: "app.bsky.feed.post", record: { ...post("x"), x: { $link: "notacid" } } }), 400, "InvalidRequest"],
    ["$bytes not base64", "com.atproto.repo.createRecord", () => ({ repo: did, collection: "com.example.thing", validate: false, record: { b: { $bytes: "not base64!" } } }), 400, "InvalidRequest"],
    ["float", "com.atproto.repo.putRecord", () => ({ repo: did, collection: "com.example.thing", rkey: "f1", record: { n: 1.5 } }), 400, "InvalidRequest"],
    ["nested empty $type", "com.atproto.repo.createRecord", () => ({ repo: did, collection: "com.example.thing", record: { o: { $type: "" } } }), 400, "InvalidRequest"],
    ["blob with string size", "com.atproto.repo.createRecord", () => ({ repo: did, collection: "com.example.thing", validate: false, record: { b: { $type: "blob", ref: { $link: "bafkreiccldh766hwcnuxnf2wh6jgzepf2nlu2lvcllt63eww5p6chi4ity" }, mimeType: "image/jpeg", size: "10" } } }), 400, "InvalidRequest"],
    ["applyWrites with a bad $link", "com.atproto.repo.applyWrites", () => ({ repo: did, validate: false, writes: [{ $type: "com.atproto.repo.applyWrites#create", collection: "com.example.thing", rkey: "a1", value: { l: { $link: "." } } }] }), 400, "InvalidRequest"],
    ["create existing", "com.atproto.repo.createRecord", () => ({ repo: did, collection: "app.bsky.feed.post", rkey: rk("existing"), record: post("x") }), 400, "InvalidRequest"],
    ["swapRecord null on existing", "com.atproto.repo.putRecord", () => ({ repo: did, collection: "app.bsky.feed.post", rkey: rk("existing"), record: post("y"), swapRecord: null }), 400, "InvalidSwap"],
    ["swapCommit mismatch", "com.atproto.repo.deleteRecord", () => ({ repo: did, collection: "app.bsky.feed.post", rkey: rk("existing"), swapCommit: "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm" }), 400, "InvalidSwap"],
    ["201 writes", "com.atproto.repo.applyWrites", () => ({ repo: did, writes: Array.from({ length: 201 }, (_, i) => ({ $type: "com.atproto.repo.applyWrites#create", collection: "app.bsky.feed.post", rkey: rk(`w${i}`), value: post("x") })) }), 400, "InvalidRequest"],
    ["one invalid write", "com.atproto.repo.applyWrites", () => ({ repo: did, writes: [{ $type: "com.atproto.repo.applyWrites#create", collection: "app.bsky.feed.post", rkey: rk("ok"), value: post("x") }, { $type: "com.atproto.repo.applyWrites#update", collection: "app.bsky.feed.post", rkey: rk("missing"), value: post("x") }] }), 400, "InvalidRequest"],
    ["DID not hosted", "com.atproto.repo.createRecord", () => ({ repo: "did:plc:notherenotherenothere00", collection: "app.bsky.feed.post", record: post("x") }), 400, "InvalidRequest"],
  ];
  for (const [name, nsid, body, status, error] of cases) {
    test(`${name} → ${status} ${error}`, async () => {
      const before = await head();
      const res = await xrpc(pds.url, nsid, { token, body: body() });
      expect({ status: res.status, error: res.body?.error }).toEqual({ status, error });
      expect(await head()).toEqual(before);
    });
  }
  test("upper-case managed collection gets the same error message as the lower-case one", async () => {
    const lower = await xrpc(pds.url, "com.atproto.repo.putRecord", { token, body: { repo: did, collection: "net.openfederation.community.member", rkey: "m1", record: { a: 1 } } });
    const upper = await xrpc(pds.url, "com.atproto.repo.putRecord", { token, body: { repo: did, collection: "NET.openfederation.community.member", rkey: "m1", record: { a: 1 } } });
    expect(upper.status).toBe(400);
    expect(upper.body.message).toContain("use net.openfederation.community.join");
    expect(upper.body.message).toBe(lower.body.message.replace("net.openfederation", "NET.openfederation"));
    const list = await xrpc(pds.url, "com.atproto.repo.listRecords", { params: { repo: did, collection: "NET.openfederation.community.member" } });
    expect(list.body?.records ?? []).toEqual([]);
  });
  test("anonymous write → 401", async () => {
    const res = await xrpc(pds.url, "com.atproto.repo.createRecord", { body: { repo: did, collection: "app.bsky.feed.post", record: post("x") } });
    expect(res.status).toBe(401);
  });
});

describe("writes and reads", () => {
  test("createRecord by handle sets $type and reports validationStatus; getRecord, cid mismatch, listRecords paging", async () => {
    const created = await ok(xrpc(pds.url, "com.atproto.repo.createRecord", { token, body: { repo: "carol.test", collection: "com.example.thing", record: { n: 1 } } }));
    expect(created.validationStatus).toBe("unknown");
    expect(created.commit.rev).toBe((await head()).rev);
    const rkey = created.uri.split("/").pop();
    const got = await ok(xrpc(pds.url, "com.atproto.repo.getRecord", { params: { repo: did, collection: "com.example.thing", rkey } }));
    expect(got.value).toEqual({ $type: "com.example.thing", n: 1 });
    const wrongCid = await xrpc(pds.url, "com.atproto.repo.getRecord", { params: { repo: did, collection: "app.bsky.feed.post", rkey: rk("existing"), cid: created.cid } });
    expect({ s: wrongCid.status, e: wrongCid.body.error }).toEqual({ s: 400, e: "RecordNotFound" });

    await ok(xrpc(pds.url, "com.atproto.repo.applyWrites", { token, body: { repo: did, writes: Array.from({ length: 5 }, (_, i) => ({ $type: "com.atproto.repo.applyWrites#create", collection: "com.example.page", rkey: `k${i}`, value: { i } })) } }));
    const p1 = await ok(xrpc(pds.url, "com.atproto.repo.listRecords", { params: { repo: did, collection: "com.example.page", limit: 2 } }));
    expect(p1.records.map((r: { uri: string }) => r.uri.split("/").pop())).toEqual(["k4", "k3"]);
    const p2 = await ok(xrpc(pds.url, "com.atproto.repo.listRecords", { params: { repo: did, collection: "com.example.page", limit: 2, cursor: p1.cursor } }));
    expect(p2.records.map((r: { uri: string }) => r.uri.split("/").pop())).toEqual(["k2", "k1"]);
    const rev = await ok(xrpc(pds.url, "com.atproto.repo.listRecords", { params: { repo: did, collection: "com.example.page", reverse: "true", limit: 10 } }));
    expect(rev.records.map((r: { uri: string }) => r.uri.split("/").pop())).toEqual(["k0", "k1", "k2", "k3", "k4"]);
    expect(rev.cursor).toBeUndefined();
    const bad = await xrpc(pds.url, "com.atproto.repo.listRecords", { params: { repo: did, collection: "com.example.page", cursor: "a/b" } });
    expect(bad.status).toBe(400);
  });

  test("describeRepo: real DID document, collections, handleIsCorrect", async () => {
    const d = await ok(xrpc(pds.url, "com.atproto.repo.describeRepo", { params: { repo: did } }));
    expect(d).toMatchObject({ did, handle: "carol.test", handleIsCorrect: true });
    expect(d.didDoc.id).toBe(did);
    expect(d.collections).toContain("app.bsky.feed.post");
    expect(d.collections).toContain("app.bsky.actor.profile");
  });

  test("sync.getRecord proves the record against the PLC signing key; missing → RecordNotFound", async () => {
    const res = await fetch(`${pds.url}/xrpc/com.atproto.sync.getRecord?did=${did}&collection=app.bsky.feed.post&rkey=${rk("existing")}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("application/vnd.ipld.car");
    const claims = await verifyRecords(new Uint8Array(await res.arrayBuffer()), did, await plcSigningKey(pds.plcUrl, did));
    expect(claims.map((c) => c.rkey)).toEqual([rk("existing")]);
    const missing = await xrpc(pds.url, "com.atproto.sync.getRecord", { params: { did, collection: "app.bsky.feed.post", rkey: rk("nope") } });
    expect({ s: missing.status, e: missing.body.error }).toEqual({ s: 400, e: "RecordNotFound" });
  });

  test("getRepo since=<rev> holds only newer blocks; unknown DID → RepoNotFound", async () => {
    const { rev } = await head();
    const w = await ok(xrpc(pds.url, "com.atproto.repo.createRecord", { token, body: { repo: did, collection: "app.bsky.feed.post", rkey: rk("newer"), record: post("n") } }));
    const res = await fetch(`${pds.url}/xrpc/com.atproto.sync.getRepo?did=${did}&since=${rev}`);
    const { root, blocks } = await readCarWithRoot(new Uint8Array(await res.arrayBuffer()));
    expect(root.toString()).toBe(w.commit.cid);
    const cids = blocks.cids().map((c) => c.toString());
    expect(cids).toContain(w.cid);
    expect(blocks.size).toBeLessThan(10);
    const nf = await xrpc(pds.url, "com.atproto.sync.getLatestCommit", { params: { did: "did:plc:notherenotherenothere00" } });
    expect({ s: nf.status, e: nf.body.error }).toEqual({ s: 400, e: "RepoNotFound" });
  });
});
