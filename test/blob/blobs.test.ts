// Blobs end to end (spec 03 §5, 06 §11-§12): upload, sniffing, limits, references from records, getBlob, listBlobs, GC.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ok, xrpc } from "../e2e/_xrpc.ts";
import { JPEG_MAGIC, PNG_MAGIC, randomBytes, rawCid, startBlobPds, upload, waitUntil, type BlobPds } from "./_support.ts";
import { shardOf } from "../../src/blob/store.ts";

const MAX = 100_000;
let t: BlobPds;
let alice: { did: string; token: string };

beforeAll(async () => {
  t = await startBlobPds({ BLOB_MAX_BYTES: String(MAX), BLOB_GC_INTERVAL_MS: "200" });
  alice = await t.user("alice");
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

const blobFile = (did: string, cid: string) => join(t.pds.dataDir, "blobs", shardOf(did), did, cid);
const blobRow = (did: string, cid: string) =>
  t.sql(async (db) => (await db.get<{ mime: string; size: number; status: string }>("SELECT mime, size, status FROM blobs WHERE did = ? AND cid = ?", [did, cid])) ?? null);
const blobCount = () => t.sql(async (db) => Number((await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM blobs"))!.n));
const tmpFiles = () => readdirSync(join(t.pds.dataDir, "blobs", "tmp"));
const head = async () => (await ok(xrpc(t.pds.url, "com.atproto.sync.getLatestCommit", { params: { did: alice.did } }))).cid as string;
const getBlob = (did: string, cid: string, token?: string) =>
  fetch(`${t.pds.url}/xrpc/com.atproto.sync.getBlob?did=${encodeURIComponent(did)}&cid=${cid}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
const profileWith = (avatar: unknown) => ({ repo: alice.did, collection: "app.bsky.actor.profile", rkey: "self", record: { $type: "app.bsky.actor.profile", displayName: "alice", avatar } });
const postWith = (rkey: string, blob: unknown) => ({
  repo: alice.did,
  collection: "com.example.photo",
  rkey,
  record: { $type: "com.example.photo", image: blob, createdAt: "2026-01-01T00:00:00.000Z" },
});

describe("uploadBlob", () => {
  test.each([
    ["PNG declared as JPEG", PNG_MAGIC, "image/jpeg", "image/png"],
    ["JPEG declared as text/plain", JPEG_MAGIC, "text/plain", "image/jpeg"],
    ["PDF declared as image/png", "%PDF-1.7\n", "image/png", "application/pdf"],
    ["unknown bytes keep a valid declared type", "hello, plain text", "Text/Plain; charset=utf-8", "text/plain"],
    ["unknown bytes with a malformed type", "hello again", "not a mime", "application/octet-stream"],
  ])("%s → %s stored", async (_name, magic, declared, expected) => {
    const bytes = randomBytes(2000, magic as number[] | string);
    const res = await upload(t.pds.url, alice.token, bytes, declared);
    expect(res.status).toBe(200);
    const cid = rawCid(bytes);
    expect(res.body).toEqual({ blob: { $type: "blob", ref: { $link: cid }, mimeType: expected, size: bytes.length } });
    expect(await blobRow(alice.did, cid)).toEqual({ mime: expected, size: bytes.length, status: "temporary" });
    expect(await Bun.file(blobFile(alice.did, cid)).bytes()).toEqual(bytes);
  });

  test("identical bytes are stored once", async () => {
    const bytes = randomBytes(5000, PNG_MAGIC);
    const before = await blobCount();
    const a = await upload(t.pds.url, alice.token, bytes, "image/png");
    const b = await upload(t.pds.url, alice.token, bytes, "image/png");
    expect(b.body).toEqual(a.body);
    expect(await blobCount()).toBe(before + 1);
    expect(readdirSync(join(t.pds.dataDir, "blobs", shardOf(alice.did), alice.did)).filter((f) => f === a.body.blob.ref.$link)).toHaveLength(1);
  });

  test("a blob of exactly BLOB_MAX_BYTES is accepted", async () => {
    const res = await upload(t.pds.url, alice.token, randomBytes(MAX, JPEG_MAGIC), "image/jpeg");
    expect(res.status).toBe(200);
    expect(res.body.blob.size).toBe(MAX);
  });

  const rejected: Array<[string, () => Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array>, () => string | undefined, number, string]> = [
    ["over BLOB_MAX_BYTES with Content-Length", () => randomBytes(MAX + 1, PNG_MAGIC), () => alice.token, 413, "BlobTooLarge"],
    [
      "over BLOB_MAX_BYTES streamed (chunked, no length)",
      () => {
        let sent = 0;
        return new ReadableStream<Uint8Array>({
          pull(c) {
            if (sent >= MAX * 3) return c.close();
            sent += 16_384;
            c.enqueue(randomBytes(16_384, sent === 16_384 ? PNG_MAGIC : []));
          },
        });
      },
      () => alice.token,
      413,
      "BlobTooLarge",
    ],
    ["empty body", () => new Uint8Array(0), () => alice.token, 400, "InvalidRequest"],
    ["no token", () => randomBytes(100, PNG_MAGIC), () => undefined, 401, "AuthRequired"],
  ];
  for (const [name, body, token, status, error] of rejected) {
    test(`${name} → ${status} ${error}, no row and no file left`, async () => {
      const before = await blobCount();
      const res = await upload(t.pds.url, token(), body(), "image/png").catch((err) => ({ status: -1, body: { error: String(err) } }));
      expect({ status: res.status, error: res.body?.error }).toEqual({ status, error });
      expect(await blobCount()).toBe(before);
      await waitUntil(() => tmpFiles().length === 0, 3000);
    });
  }
});

describe("blob references in records", () => {
  test("a record referencing an uploaded blob makes it permanent; getBlob serves it with the §5 headers", async () => {
    const bytes = randomBytes(3000, PNG_MAGIC);
    const { blob } = await ok(Promise.resolve(await upload(t.pds.url, alice.token, bytes, "image/png")));
    const cid = blob.ref.$link;
    const before = await getBlob(alice.did, cid);
    expect(before.status).toBe(400);
    expect((await before.json()).error).toBe("BlobNotFound");

    await ok(xrpc(t.pds.url, "com.atproto.repo.putRecord", { token: alice.token, body: profileWith(blob) }));
    expect((await blobRow(alice.did, cid))?.status).toBe("permanent");
    const res = await getBlob(alice.did, cid);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("content-length")).toBe(String(bytes.length));
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
    const rec = await ok(xrpc(t.pds.url, "com.atproto.repo.getRecord", { params: { repo: alice.did, collection: "app.bsky.actor.profile", rkey: "self" } }));
    expect(rec.value.avatar).toEqual(blob);
  });

  test("getBlob of an unknown CID → 400 BlobNotFound", async () => {
    const res = await getBlob(alice.did, rawCid(randomBytes(10)));
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe("BlobNotFound");
  });

  describe("bad refs → 400 InvalidRequest and nothing written", () => {
    let blob: { $type: "blob"; ref: { $link: string }; mimeType: string; size: number };
    beforeAll(async () => {
      blob = (await upload(t.pds.url, alice.token, randomBytes(1500, JPEG_MAGIC), "image/jpeg")).body.blob;
    });
    const cases: Array<[string, () => unknown]> = [
      ["unknown blob", () => ({ ...blob, ref: { $link: rawCid(randomBytes(12)) } })],
      ["wrong size", () => ({ ...blob, size: blob.size + 1 })],
      ["wrong mimeType", () => ({ ...blob, mimeType: "image/png" })],
      ["another account's blob", () => bobBlob],
    ];
    let bobBlob: unknown;
    beforeAll(async () => {
      const bob = await t.user("bob");
      bobBlob = (await upload(t.pds.url, bob.token, randomBytes(800, PNG_MAGIC), "image/png")).body.blob;
    });
    for (const [name, ref] of cases) {
      test(name, async () => {
        const before = await head();
        const res = await xrpc(t.pds.url, "com.atproto.repo.createRecord", { token: alice.token, body: postWith(`bad${name.length}`, ref()) });
        expect({ status: res.status, error: res.body?.error }).toEqual({ status: 400, error: "InvalidRequest" });
        expect(await head()).toBe(before);
        expect((await blobRow(alice.did, blob.ref.$link))?.status).toBe("temporary");
        const refs = await t.sql(async (db) => Number((await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM record_blobs WHERE record_uri LIKE ?", [`%/com.example.photo/bad%`]))!.n));
        expect(refs).toBe(0);
      });
    }

    test("applyWrites with one bad ref applies nothing", async () => {
      const before = await head();
      const res = await xrpc(t.pds.url, "com.atproto.repo.applyWrites", {
        token: alice.token,
        body: {
          repo: alice.did,
          writes: [
            { $type: "com.atproto.repo.applyWrites#create", collection: "com.example.photo", rkey: "aw1", value: { image: blob } },
            { $type: "com.atproto.repo.applyWrites#create", collection: "com.example.photo", rkey: "aw2", value: { image: { ...blob, size: 1 } } },
          ],
        },
      });
      expect({ status: res.status, error: res.body?.error }).toEqual({ status: 400, error: "InvalidRequest" });
      expect(await head()).toBe(before);
      expect((await blobRow(alice.did, blob.ref.$link))?.status).toBe("temporary");
    });
  });
});

describe("garbage collection (BLOB_GC_INTERVAL_MS=200)", () => {
  test("deleting the only referencing record → blob row and file gone; a blob still referenced elsewhere stays", async () => {
    const { blob } = (await upload(t.pds.url, alice.token, randomBytes(2500, PNG_MAGIC), "image/png")).body;
    const cid = blob.ref.$link as string;
    const lone = (await upload(t.pds.url, alice.token, randomBytes(2501, PNG_MAGIC), "image/png")).body.blob;
    const loneCid = lone.ref.$link as string;
    await ok(xrpc(t.pds.url, "com.atproto.repo.putRecord", { token: alice.token, body: postWith("gc1", blob) }));
    await ok(xrpc(t.pds.url, "com.atproto.repo.putRecord", { token: alice.token, body: postWith("gc2", blob) }));
    await ok(xrpc(t.pds.url, "com.atproto.repo.putRecord", { token: alice.token, body: postWith("gc0", lone) }));
    const del = (rkey: string) => ok(xrpc(t.pds.url, "com.atproto.repo.deleteRecord", { token: alice.token, body: { repo: alice.did, collection: "com.example.photo", rkey } }));
    await del("gc1"); // `blob` is still referenced by gc2
    await del("gc0"); // `lone` is referenced by nothing now
    // A GC run that started after both deletes removed `lone`; the same run saw `blob` still referenced.
    await waitUntil(async () => (await blobRow(alice.did, loneCid)) === null);
    expect(existsSync(blobFile(alice.did, loneCid))).toBe(false);
    expect((await getBlob(alice.did, loneCid)).status).toBe(400);
    expect((await blobRow(alice.did, cid))?.status).toBe("permanent");
    expect(existsSync(blobFile(alice.did, cid))).toBe(true);
    expect((await getBlob(alice.did, cid)).status).toBe(200);

    await ok(xrpc(t.pds.url, "com.atproto.repo.deleteRecord", { token: alice.token, body: { repo: alice.did, collection: "com.example.photo", rkey: "gc2" } }));
    await waitUntil(async () => (await blobRow(alice.did, cid)) === null);
    expect(existsSync(blobFile(alice.did, cid))).toBe(false);
    const res = await getBlob(alice.did, cid);
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe("BlobNotFound");
  });

  test("updating a record to drop its blob makes the blob collectable", async () => {
    const { blob } = (await upload(t.pds.url, alice.token, randomBytes(2600, PNG_MAGIC), "image/png")).body;
    await ok(xrpc(t.pds.url, "com.atproto.repo.putRecord", { token: alice.token, body: postWith("gc3", blob) }));
    await ok(xrpc(t.pds.url, "com.atproto.repo.putRecord", { token: alice.token, body: postWith("gc3", "no image") }));
    await waitUntil(async () => (await blobRow(alice.did, blob.ref.$link)) === null);
    expect(existsSync(blobFile(alice.did, blob.ref.$link))).toBe(false);
  });

  test("a temporary blob older than BLOB_TEMP_TTL_HOURS is deleted; a fresh one is kept", async () => {
    const old = (await upload(t.pds.url, alice.token, randomBytes(900, JPEG_MAGIC), "image/jpeg")).body.blob.ref.$link as string;
    const fresh = (await upload(t.pds.url, alice.token, randomBytes(901, JPEG_MAGIC), "image/jpeg")).body.blob.ref.$link as string;
    const sevenHoursAgo = new Date(Date.now() - 7 * 3_600_000).toISOString();
    await t.sql((db) => db.run("UPDATE blobs SET created_at = ? WHERE did = ? AND cid = ?", [sevenHoursAgo, alice.did, old]));
    await waitUntil(async () => (await blobRow(alice.did, old)) === null);
    expect(existsSync(blobFile(alice.did, old))).toBe(false);
    expect((await blobRow(alice.did, fresh))?.status).toBe("temporary");
    expect(existsSync(blobFile(alice.did, fresh))).toBe(true);
  });
});

describe("listBlobs", () => {
  test("permanent blobs only, paginated by cursor, `since` limits to references after that rev", async () => {
    const carol = await t.user("carol");
    const up = async (n: number) => (await upload(t.pds.url, carol.token, randomBytes(500 + n, PNG_MAGIC), "image/png")).body.blob;
    const a = await up(1);
    const b = await up(2);
    await up(3); // stays temporary: never listed
    const write = (rkey: string, blob: unknown) =>
      ok(xrpc(t.pds.url, "com.atproto.repo.putRecord", { token: carol.token, body: { repo: carol.did, collection: "com.example.photo", rkey, record: { image: blob } } }));
    const first = await write("one", a);
    const second = await write("two", b);
    const all = await ok(xrpc(t.pds.url, "com.atproto.sync.listBlobs", { params: { did: carol.did } }));
    expect(all.cids).toEqual([a.ref.$link, b.ref.$link].sort());
    expect(all.cursor).toBeUndefined();

    const p1 = await ok(xrpc(t.pds.url, "com.atproto.sync.listBlobs", { params: { did: carol.did, limit: 1 } }));
    expect(p1.cids).toHaveLength(1);
    const p2 = await ok(xrpc(t.pds.url, "com.atproto.sync.listBlobs", { params: { did: carol.did, limit: 1, cursor: p1.cursor } }));
    expect([...p1.cids, ...p2.cids]).toEqual(all.cids);
    expect(p2.cursor).toBeUndefined();

    const since = await ok(xrpc(t.pds.url, "com.atproto.sync.listBlobs", { params: { did: carol.did, since: first.commit.rev } }));
    expect(since.cids).toEqual([b.ref.$link]);
    const none = await ok(xrpc(t.pds.url, "com.atproto.sync.listBlobs", { params: { did: carol.did, since: second.commit.rev } }));
    expect(none.cids).toEqual([]);
  });

  test("unknown DID → 400 RepoNotFound", async () => {
    const res = await xrpc(t.pds.url, "com.atproto.sync.listBlobs", { params: { did: "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa" } });
    expect({ status: res.status, error: res.body?.error }).toEqual({ status: 400, error: "RepoNotFound" });
  });
});

describe("availability (§9): blobs of restricted accounts are not served", () => {
  let dave: { did: string; token: string };
  let cid: string;
  beforeAll(async () => {
    dave = await t.user("dave");
    const { blob } = (await upload(t.pds.url, dave.token, randomBytes(700, PNG_MAGIC), "image/png")).body;
    cid = blob.ref.$link;
    await ok(xrpc(t.pds.url, "com.atproto.repo.createRecord", { token: dave.token, body: { repo: dave.did, collection: "com.example.photo", record: { image: blob } } }));
  });
  const setStatus = (status: string) => t.sql((db) => db.run("UPDATE accounts SET status = ? WHERE did = ?", [status, dave.did]));

  test.each([
    ["suspended", "RepoSuspended"],
    ["takendown", "RepoTakendown"],
    ["deactivated", "RepoDeactivated"],
    ["pending", "RepoNotFound"],
  ])("%s → getBlob and listBlobs 400 %s", async (status, error) => {
    await setStatus(status);
    try {
      const res = await getBlob(dave.did, cid);
      expect(res.status).toBe(400);
      expect((await res.json()).error).toBe(error);
      const list = await xrpc(t.pds.url, "com.atproto.sync.listBlobs", { params: { did: dave.did } });
      expect({ status: list.status, error: list.body?.error }).toEqual({ status: 400, error });
    } finally {
      await setStatus("approved");
    }
  });

  test("staff bypass: an admin still reads a suspended account's blob", async () => {
    await setStatus("suspended");
    try {
      expect((await getBlob(dave.did, cid, t.admin)).status).toBe(200);
    } finally {
      await setStatus("approved");
    }
  });
});
