// Bluesky record validation (spec 10 §7, 03 §2) against a real `ofpds serve --dev` with an @atproto/api agent:
// validate unset/true/false, validationStatus in every write response, refusals that write nothing.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { AtpAgent } from "@atproto/api";
import { TID } from "@atproto/common-web";
import { approvedUser, call, invite, PASSWORD, startEnv, uniq, type Env } from "../account/_support.ts";
import { createTestDid, repoCar, serviceJwt } from "../lifecycle/_support.ts";
import dmInvalid from "../fixtures/atproto/data-model/data-model-invalid.json";
import dmValid from "../fixtures/atproto/data-model/data-model-valid.json";

let env: Env;
let agent: AtpAgent;
let did: string;
let token: string;
/** a post and a like written in beforeAll: subjects for likes, reposts, replies, quotes, threadgates */
let target: { uri: string; cid: string };

const RAW_CID = "bafkreiccldh766hwcnuxnf2wh6jgzepf2nlu2lvcllt63eww5p6chi4ity";
const now = () => new Date().toISOString();
const post = (text: unknown) => ({ $type: "app.bsky.feed.post", text, createdAt: now() });
const tid = () => TID.nextStr();

beforeAll(async () => {
  env = await startEnv();
  const user = await approvedUser(env);
  did = user.did;
  token = user.accessJwt;
  agent = new AtpAgent({ service: env.url });
  await agent.login({ identifier: user.name, password: "Correct-horse-9" });
  const r = await agent.com.atproto.repo.createRecord({ repo: did, collection: "app.bsky.feed.post", record: post("the target") });
  target = { uri: r.data.uri, cid: r.data.cid };
}, 60_000);
afterAll(async () => {
  await env?.stop();
});

/** What a refused write must leave unchanged: the repo head and rev, the records index, the firehose. */
async function state() {
  const head = (await agent.com.atproto.sync.getLatestCommit({ did })).data;
  const records = (await env.sql<{ n: number }>("SELECT COUNT(*) AS n FROM records WHERE did = ?", did))[0]!.n;
  const events = (await env.sql<{ n: number }>("SELECT COUNT(*) AS n FROM repo_events"))[0]!.n;
  return { head, records, events };
}

describe("validate unset: known lexicons validated, unknown accepted", () => {
  test("a valid post → validationStatus valid, readable with its $type", async () => {
    const res = await agent.com.atproto.repo.createRecord({ repo: did, collection: "app.bsky.feed.post", record: post("hello") });
    expect(res.data.validationStatus).toBe("valid");
    const rkey = res.data.uri.split("/").pop()!;
    const rec = await agent.com.atproto.repo.getRecord({ repo: did, collection: "app.bsky.feed.post", rkey });
    expect((rec.data.value as { text: string }).text).toBe("hello");
  });

  test("the same valid post with validate:true → valid", async () => {
    const res = await agent.com.atproto.repo.createRecord({ repo: did, collection: "app.bsky.feed.post", validate: true, record: post("explicit") });
    expect(res.data.validationStatus).toBe("valid");
  });

  test("a post with facets, a reply and a quote embed (refs across documents) → valid", async () => {
    const text = "hi @alice.test see https://example.org";
    const res = await agent.com.atproto.repo.createRecord({
      repo: did,
      collection: "app.bsky.feed.post",
      record: {
        ...post(text),
        langs: ["en"],
        facets: [
          { index: { byteStart: 3, byteEnd: 14 }, features: [{ $type: "app.bsky.richtext.facet#mention", did }] },
          { index: { byteStart: 19, byteEnd: 38 }, features: [{ $type: "app.bsky.richtext.facet#link", uri: "https://example.org" }] },
        ],
        reply: { root: target, parent: target },
        embed: { $type: "app.bsky.embed.record", record: target },
      },
    });
    expect(res.data.validationStatus).toBe("valid");
  });

  test("an unknown NSID → written, validationStatus unknown", async () => {
    const res = await agent.com.atproto.repo.createRecord({ repo: did, collection: "com.example.foo", record: { anything: "goes", n: 1 } });
    expect(res.data.validationStatus).toBe("unknown");
    expect(await env.sql("SELECT validation_status AS s FROM records WHERE did = ? AND collection = 'com.example.foo'", did)).toEqual([{ s: "unknown" }]);
  });

  test("putRecord of a known record → valid; of an unknown one → unknown", async () => {
    const a = await agent.com.atproto.repo.putRecord({ repo: did, collection: "app.bsky.feed.post", rkey: tid(), record: post("put") });
    expect(a.data.validationStatus).toBe("valid");
    const b = await agent.com.atproto.repo.putRecord({ repo: did, collection: "com.example.foo", rkey: "k1", record: { a: 1 } });
    expect(b.data.validationStatus).toBe("unknown");
  });
});

describe("every Bluesky record type the app writes validates", () => {
  const cases: Array<[string, string, string | undefined, () => Record<string, unknown>]> = [
    ["profile", "app.bsky.actor.profile", "self", () => ({ displayName: "Alice", description: "hello", createdAt: now() })],
    ["follow", "app.bsky.graph.follow", undefined, () => ({ subject: "did:plc:ewvi7nxzyoun6zhxrhs64oiz", createdAt: now() })],
    ["like", "app.bsky.feed.like", undefined, () => ({ subject: target, createdAt: now() })],
    ["repost", "app.bsky.feed.repost", undefined, () => ({ subject: target, createdAt: now() })],
    ["block", "app.bsky.graph.block", undefined, () => ({ subject: "did:plc:ewvi7nxzyoun6zhxrhs64oiz", createdAt: now() })],
    ["list", "app.bsky.graph.list", undefined, () => ({ purpose: "app.bsky.graph.defs#curatelist", name: "friends", createdAt: now() })],
    ["threadgate", "app.bsky.feed.threadgate", undefined, () => ({ post: target.uri, allow: [{ $type: "app.bsky.feed.threadgate#mentionRule" }], createdAt: now() })],
    ["postgate", "app.bsky.feed.postgate", undefined, () => ({ post: target.uri, embeddingRules: [{ $type: "app.bsky.feed.postgate#disableRule" }], createdAt: now() })],
    ["chat declaration", "chat.bsky.actor.declaration", "self", () => ({ allowIncoming: "following" })],
  ];
  for (const [name, collection, rkey, record] of cases) {
    test(`${name} (${collection}) → valid`, async () => {
      const res = rkey
        ? await agent.com.atproto.repo.putRecord({ repo: did, collection, rkey, record: { $type: collection, ...record() } })
        : await agent.com.atproto.repo.createRecord({ repo: did, collection, record: { $type: collection, ...record() } });
      expect(res.data.validationStatus).toBe("valid");
      expect(res.data.uri.startsWith(`at://${did}/${collection}/`)).toBe(true);
    });
  }

  test("createRecord without rkey on a literal:self collection uses self", async () => {
    const res = await agent.com.atproto.repo.createRecord({ repo: did, collection: "chat.bsky.actor.declaration", record: { allowIncoming: "all" } }).catch((e) => e);
    // a declaration exists already (putRecord above): create on the same key is refused, which proves the key chosen
    expect(res.status ?? 200).toBe(400);
    expect(String(res.message)).toContain("already exists");
  });
});

describe("refusals: 400 with the error name, nothing written", () => {
  const create = (collection: string, record: unknown, extra: Record<string, unknown> = {}) => ["com.atproto.repo.createRecord", { repo: did, collection, record, ...extra }] as const;
  const cases: Array<[string, () => readonly [string, Record<string, unknown>], string, string]> = [
    ["post text:123, validate unset", () => create("app.bsky.feed.post", post(123)), "InvalidRequest", "Invalid app.bsky.feed.post record: Record/text must be a string"],
    ["post text:123, validate true", () => create("app.bsky.feed.post", post(123), { validate: true }), "InvalidRequest", "Invalid app.bsky.feed.post record: Record/text must be a string"],
    ["post without createdAt", () => create("app.bsky.feed.post", { text: "x" }), "InvalidRequest", "Invalid app.bsky.feed.post record: Record must have the property \"createdAt\""],
    ["post of 301 graphemes", () => create("app.bsky.feed.post", post("é".repeat(301))), "InvalidRequest", "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes"],
    ["like without subject, validate unset", () => create("app.bsky.feed.like", { createdAt: now() }), "InvalidRequest", "Invalid app.bsky.feed.like record: Record must have the property \"subject\""],
    ["like without subject, validate true", () => create("app.bsky.feed.like", { createdAt: now() }, { validate: true }), "InvalidRequest", "Invalid app.bsky.feed.like record"],
    ["follow with a non-DID subject", () => create("app.bsky.graph.follow", { subject: "alice", createdAt: now() }), "InvalidRequest", "Invalid app.bsky.graph.follow record"],
    ["unknown NSID with validate true", () => create("com.example.foo", { a: 1 }, { validate: true }), "InvalidRequest", "Lexicon not found: com.example.foo"],
    ["post rkey not a TID", () => create("app.bsky.feed.post", post("x"), { rkey: "notatid" }), "InvalidRequest", "Record key of app.bsky.feed.post must be a TID"],
    ["chat declaration rkey x", () => ["com.atproto.repo.putRecord", { repo: did, collection: "chat.bsky.actor.declaration", rkey: "x", record: { allowIncoming: "all" } }], "InvalidRequest", 'Record key of chat.bsky.actor.declaration must be "self"'],
    ["putRecord of a bad post", () => ["com.atproto.repo.putRecord", { repo: did, collection: "app.bsky.feed.post", rkey: tid(), record: post(123) }], "InvalidRequest", "Invalid app.bsky.feed.post record"],
    ["profile is validated even with validate:false", () => ["com.atproto.repo.putRecord", { repo: did, collection: "app.bsky.actor.profile", rkey: "self", validate: false, record: { displayName: 5 } }], "InvalidRequest", "Invalid app.bsky.actor.profile record"],
    ["data model holds with validate:false (float)", () => create("app.bsky.feed.post", { ...post("x"), n: 1.5 }, { validate: false }), "InvalidRequest", "numbers must be integers"],
    ["legacy blob, validate:false", () => create("com.example.foo", { img: { cid: RAW_CID, mimeType: "image/png" } }, { validate: false }), "InvalidRequest", "record.img: legacy blobs are not allowed"],
    ["$link CIDv0, validate:false", () => create("com.example.foo", { l: { $link: "QmPZ9gcCEpqKTo6aq61g2nXGUhM4iCL3ewB6LDXZCtioEB" } }, { validate: false }), "InvalidRequest", "record.l: $link must be the only key and a CIDv1"],
    ["blob of size 0", () => create("com.example.foo", { b: { $type: "blob", ref: { $link: RAW_CID }, mimeType: "image/png", size: 0 } }), "InvalidRequest", "record.b: a blob is exactly"],
    ["blob with an extra key", () => create("com.example.foo", { b: { $type: "blob", ref: { $link: RAW_CID }, mimeType: "image/png", size: 5, alt: "x" } }), "InvalidRequest", "record.b: a blob is exactly"],
    [
      "applyWrites: one bad post among good ones",
      () => [
        "com.atproto.repo.applyWrites",
        {
          repo: did,
          writes: [
            { $type: "com.atproto.repo.applyWrites#create", collection: "app.bsky.feed.post", value: post("fine") },
            { $type: "com.atproto.repo.applyWrites#create", collection: "app.bsky.feed.like", value: { createdAt: now() } },
          ],
        },
      ],
      "InvalidRequest",
      "Invalid app.bsky.feed.like record",
    ],
    [
      "applyWrites validate:true with an unknown NSID",
      () => ["com.atproto.repo.applyWrites", { repo: did, validate: true, writes: [{ $type: "com.atproto.repo.applyWrites#create", collection: "com.example.foo", value: { a: 1 } }] }],
      "InvalidRequest",
      "Lexicon not found: com.example.foo",
    ],
  ];
  for (const [name, req, error, message] of cases) {
    test(`${name} → 400 ${error}`, async () => {
      const before = await state();
      const [nsid, body] = req();
      const res = await call(env.url, nsid, { token, body });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe(error);
      expect(res.body.message).toContain(message);
      expect(await state()).toEqual(before);
    });
  }

  test("the agent sees the refusal as an XRPC error", async () => {
    const before = await state();
    const err = await agent.com.atproto.repo.createRecord({ repo: did, collection: "app.bsky.feed.post", record: post(123) }).catch((e) => e);
    expect(err.status).toBe(400);
    expect(err.error).toBe("InvalidRequest");
    expect(await state()).toEqual(before);
  });
});

describe("blob constraints of the lexicon (accept, maxSize), checked on the uploaded blob's ref", () => {
  const upload = async (bytes: Uint8Array, encoding: string) => (await agent.com.atproto.repo.uploadBlob(bytes, { encoding })).data.blob;
  const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);

  test("a post with an image/png image → valid; a text/plain one → 400 naming accept, nothing written", async () => {
    const png = await upload(PNG, "image/png");
    const ok = await agent.com.atproto.repo.createRecord({ repo: did, collection: "app.bsky.feed.post", record: { ...post("pic"), embed: { $type: "app.bsky.embed.images", images: [{ image: png, alt: "a pixel" }] } } });
    expect(ok.data.validationStatus).toBe("valid");

    const txt = (await upload(new TextEncoder().encode("not an image"), "text/plain")).toJSON();
    const before = await state();
    const res = await call(env.url, "com.atproto.repo.createRecord", { token, body: { repo: did, collection: "app.bsky.feed.post", record: { ...post("txt"), embed: { $type: "app.bsky.embed.images", images: [{ image: txt, alt: "text" }] } } } });
    expect([res.status, res.body.error]).toEqual([400, "InvalidRequest"]);
    expect(res.body.message).toContain("mimeType must be one of image/*");
    expect(await state()).toEqual(before);
  });

  test("a profile avatar of image/gif → 400 (accept image/png, image/jpeg), even with validate:false", async () => {
    const gif = (await upload(new TextEncoder().encode("GIF89a...."), "image/gif")).toJSON();
    const before = await state();
    const res = await call(env.url, "com.atproto.repo.putRecord", { token, body: { repo: did, collection: "app.bsky.actor.profile", rkey: "self", validate: false, record: { displayName: "g", avatar: gif } } });
    expect([res.status, res.body.error]).toEqual([400, "InvalidRequest"]);
    expect(res.body.message).toContain("Invalid app.bsky.actor.profile record: Record/avatar mimeType must be one of image/png, image/jpeg");
    expect(await state()).toEqual(before);
  });
});

describe("interop data-model vectors written as records with validate:false", () => {
  (dmInvalid as Array<{ note: string; json: unknown }>).forEach((v, i) => {
    test(`invalid ${i}: ${v.note} → 400 InvalidRequest, nothing written`, async () => {
      const before = await state();
      const res = await call(env.url, "com.atproto.repo.createRecord", { token, body: { repo: did, collection: "com.example.vector", validate: false, record: v.json } });
      expect([res.status, res.body.error]).toEqual([400, "InvalidRequest"]);
      expect(await state()).toEqual(before);
    });
  });
  (dmValid as Array<{ note: string; json: unknown }>).forEach((v, i) => {
    test(`valid ${i}: ${v.note} → 200`, async () => {
      const res = await call(env.url, "com.atproto.repo.createRecord", { token, body: { repo: did, collection: "com.example.vector", validate: false, record: v.json } });
      expect(res.status).toBe(200);
    });
  });
});

describe("validate:false: no lexicon validation, no validationStatus", () => {
  test("a bad post is written, the response has no validationStatus, the index says unknown", async () => {
    const before = await state();
    const res = await call(env.url, "com.atproto.repo.createRecord", { token, body: { repo: did, collection: "app.bsky.feed.post", validate: false, record: post(123) } });
    expect(res.status).toBe(200);
    expect("validationStatus" in res.body).toBe(false);
    const after = await state();
    expect(after.records).toBe(before.records + 1);
    expect(after.head.rev > before.head.rev).toBe(true);
    const rkey = (res.body.uri as string).split("/").pop()!;
    const rec = await agent.com.atproto.repo.getRecord({ repo: did, collection: "app.bsky.feed.post", rkey });
    expect((rec.data.value as { text: unknown }).text).toBe(123);
    expect(await env.sql("SELECT validation_status AS s FROM records WHERE did = ? AND collection = 'app.bsky.feed.post' AND rkey = ?", did, rkey)).toEqual([{ s: "unknown" }]);
  });

  test("a non-TID rkey for a post is accepted (no lexicon, no key type), and can be deleted again", async () => {
    const res = await call(env.url, "com.atproto.repo.putRecord", { token, body: { repo: did, collection: "app.bsky.feed.post", rkey: "custom-key", validate: false, record: post("x") } });
    expect(res.status).toBe(200);
    expect("validationStatus" in res.body).toBe(false);
    await agent.com.atproto.repo.deleteRecord({ repo: did, collection: "app.bsky.feed.post", rkey: "custom-key" });
    expect(await env.sql("SELECT rkey FROM records WHERE did = ? AND rkey = 'custom-key'", did)).toEqual([]);
  });

  test("an unknown NSID with validate:false → written, no validationStatus", async () => {
    const res = await call(env.url, "com.atproto.repo.createRecord", { token, body: { repo: did, collection: "com.example.bar", validate: false, record: { a: 1 } } });
    expect(res.status).toBe(200);
    expect("validationStatus" in res.body).toBe(false);
  });

  test("a valid profile with validate:false is validated and written, without a status", async () => {
    const res = await agent.com.atproto.repo.putRecord({ repo: did, collection: "app.bsky.actor.profile", rkey: "self", validate: false, record: { displayName: "Still checked" } });
    expect(res.data.validationStatus).toBeUndefined();
    expect(await env.sql("SELECT validation_status AS s FROM records WHERE did = ? AND collection = 'app.bsky.actor.profile'", did)).toEqual([{ s: "valid" }]);
  });
});

describe("applyWrites results carry validationStatus", () => {
  test("create known, create unknown, update known, delete: valid, unknown, valid, none", async () => {
    const rkey = tid();
    await agent.com.atproto.repo.createRecord({ repo: did, collection: "app.bsky.feed.post", rkey, record: post("to edit") });
    const gone = tid();
    await agent.com.atproto.repo.createRecord({ repo: did, collection: "app.bsky.feed.post", rkey: gone, record: post("to delete") });
    const res = await agent.com.atproto.repo.applyWrites({
      repo: did,
      writes: [
        { $type: "com.atproto.repo.applyWrites#create", collection: "app.bsky.feed.like", value: { subject: target, createdAt: now() } },
        { $type: "com.atproto.repo.applyWrites#create", collection: "com.example.foo", value: { b: 2 } },
        { $type: "com.atproto.repo.applyWrites#update", collection: "app.bsky.feed.post", rkey, value: post("edited") },
        { $type: "com.atproto.repo.applyWrites#delete", collection: "app.bsky.feed.post", rkey: gone },
      ],
    });
    const results = res.data.results as Array<{ $type: string; validationStatus?: string }>;
    expect(results.map((r) => [r.$type.split("#")[1], r.validationStatus])).toEqual([
      ["createResult", "valid"],
      ["createResult", "unknown"],
      ["updateResult", "valid"],
      ["deleteResult", undefined],
    ]);
  });

  test("validate:false: results without validationStatus, bad records written", async () => {
    const res = await call(env.url, "com.atproto.repo.applyWrites", {
      token,
      body: {
        repo: did,
        validate: false,
        writes: [
          { $type: "com.atproto.repo.applyWrites#create", collection: "app.bsky.feed.like", value: { createdAt: now() } },
          { $type: "com.atproto.repo.applyWrites#create", collection: "com.example.foo", value: { c: 3 } },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: Record<string, unknown>) => ["validationStatus" in r, r.$type])).toEqual([
      [false, "com.atproto.repo.applyWrites#createResult"],
      [false, "com.atproto.repo.applyWrites#createResult"],
    ]);
  });
});

describe("importRepo: data model only, as the reference", () => {
  let B: Env;
  beforeAll(async () => {
    B = await startEnv({ APPROVAL_REQUIRED: "false" });
  }, 60_000);
  afterAll(async () => {
    await B?.stop();
  });

  const importCar = (token: string, car: Uint8Array) =>
    fetch(`${B.url}/xrpc/com.atproto.repo.importRepo`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/vnd.ipld.car" }, body: car as Uint8Array<ArrayBuffer> });

  test("a post under a non-TID key, a post failing today's lexicon and a legacy blob survive a migration; a bad profile does not", async () => {
    const d = await createTestDid(B.pds.plcUrl);
    const name = uniq("imp");
    const jwt = await serviceJwt(d.signing, { iss: d.did, aud: B.serviceDid });
    const acct = await (await call(B.url, "com.atproto.server.createAccount", { body: { handle: `${name}.test`, email: `${name}@example.org`, password: PASSWORD, inviteCode: await invite(B), did: d.did }, headers: { authorization: `Bearer ${jwt}` } })).body;
    const old = [
      { collection: "app.bsky.feed.post", rkey: "3jzfcijpj2z2a", record: { $type: "app.bsky.feed.post", text: "fine", createdAt: "2023-01-01T00:00:00.000Z" } },
      { collection: "app.bsky.feed.post", rkey: "legacy-key", record: { $type: "app.bsky.feed.post", text: 123, createdAt: "2023-01-01T00:00:00.000Z" } },
      { collection: "com.example.old", rkey: "o1", record: { $type: "com.example.old", img: { cid: RAW_CID, mimeType: "image/png" } } },
    ];
    const res = await importCar(acct.accessJwt, (await repoCar(d.did, d.signing, old)).car);
    expect(res.status).toBe(200);
    const rows = await B.sql<{ collection: string; rkey: string; s: string }>("SELECT collection, rkey, validation_status AS s FROM records WHERE did = ? ORDER BY collection, rkey", d.did);
    expect(rows).toEqual([
      { collection: "app.bsky.feed.post", rkey: "3jzfcijpj2z2a", s: "unknown" },
      { collection: "app.bsky.feed.post", rkey: "legacy-key", s: "unknown" },
      { collection: "com.example.old", rkey: "o1", s: "unknown" },
    ]);

    // the always-validated profile (03 §2) is still checked on import: 400, the imported repo stays as it was
    const head = await B.sql("SELECT commit_cid, rev FROM repo_roots WHERE did = ?", d.did);
    const bad = await importCar(acct.accessJwt, (await repoCar(d.did, d.signing, [{ collection: "app.bsky.actor.profile", rkey: "self", record: { $type: "app.bsky.actor.profile", displayName: 5 } }])).car);
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: string; message: string };
    expect(body.error).toBe("InvalidCar");
    expect(body.message).toContain("Invalid app.bsky.actor.profile record");
    expect(await B.sql("SELECT commit_cid, rev FROM repo_roots WHERE did = ?", d.did)).toEqual(head);
    expect((await B.sql("SELECT COUNT(*) AS n FROM records WHERE did = ?", d.did))[0].n).toBe(3);
  });
});
