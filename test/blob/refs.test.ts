// Service-level blob bookkeeping: importRepo's expected blobs (markExpectedInTx → listMissing → upload), MIME sniffing table.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { BlobService, markExpectedInTx } from "../../src/blob/index.ts";
import { resolveMime, sniffMime } from "../../src/blob/mime.ts";
import { createLogger } from "../../src/util/logger.ts";
import { testConfig } from "../xrpc/_app.ts";
import { repoHarness, type RepoHarness } from "../repo/_support.ts";
import { PNG_MAGIC, randomBytes, rawCid } from "./_support.ts";

let h: RepoHarness;
let blobs: BlobService;
beforeAll(async () => {
  h = await repoHarness();
  blobs = new BlobService({ config: testConfig({ dataDir: h.dataDir }), db: h.db, logger: createLogger({ level: "error" }) });
});
afterAll(async () => {
  await h?.close();
});

const stream = (bytes: Uint8Array<ArrayBuffer>) => new Blob([bytes]).stream();

describe("expected blobs (importRepo bookkeeping)", () => {
  test("markExpectedInTx → listMissing reports them; uploading one makes it permanent at once and drops it from the list", async () => {
    const { did } = await h.newRepo();
    const a = randomBytes(300, PNG_MAGIC);
    const b = randomBytes(301, PNG_MAGIC);
    const uri = `at://${did}/com.example.photo/one`;
    await h.db.transaction((tx) =>
      markExpectedInTx(tx, did, [{ recordUri: uri, cid: rawCid(a) }, { recordUri: `at://${did}/com.example.photo/two`, cid: rawCid(b) }], "3l000000000aa"),
    );
    const missing = await blobs.listMissing(did, { limit: 500 });
    expect(missing.blobs.map((x) => x.cid).sort()).toEqual([rawCid(a), rawCid(b)].sort());
    const page = await blobs.listMissing(did, { limit: 1 });
    expect(page.blobs).toHaveLength(1);
    expect((await blobs.listMissing(did, { limit: 1, cursor: page.cursor })).blobs).toHaveLength(1);

    const view = await blobs.upload(did, stream(a), "image/png");
    expect(view.ref.$link).toBe(rawCid(a));
    expect(await blobs.getPermanent(did, rawCid(a))).toMatchObject({ mime: "image/png", size: 300 });
    expect((await blobs.listMissing(did, { limit: 500 })).blobs.map((x) => x.cid)).toEqual([rawCid(b)]);
    expect((await blobs.listBlobs(did, { limit: 10 })).cids).toEqual([rawCid(a)]);
    // referenced, so GC keeps it
    await blobs.gc();
    expect(await blobs.getPermanent(did, rawCid(a))).toMatchObject({ mime: "image/png", size: 300 });
  });

  test("deleting the repo leaves every blob to GC", async () => {
    const { did } = await h.newRepo();
    const bytes = randomBytes(400, PNG_MAGIC);
    await blobs.upload(did, stream(bytes), "image/png");
    await h.db.transaction((tx) => h.repo.deleteInTx(tx, did));
    expect(await blobs.gc()).toMatchObject({ unreferenced: 1 });
    expect(await h.db.raw.get("SELECT 1 AS one FROM blobs WHERE did = ?", [did])).toBeUndefined();
  });
});

describe("MIME sniffing", () => {
  const b = (...x: Array<number | string>) => Uint8Array.from(x.flatMap((v) => (typeof v === "number" ? [v] : [...v].map((c) => c.charCodeAt(0)))));
  test.each([
    ["jpeg", b(0xff, 0xd8, 0xff, 0xdb), "image/jpeg"],
    ["png", Uint8Array.from(PNG_MAGIC), "image/png"],
    ["gif", b("GIF89a"), "image/gif"],
    ["webp", b("RIFF", 0, 0, 0, 0, "WEBPVP8 "), "image/webp"],
    ["avif", b(0, 0, 0, 0x1c, "ftypavif", 0, 0, 0, 0, "avifmif1miaf"), "image/avif"],
    ["heic", b(0, 0, 0, 0x18, "ftypheic", 0, 0, 0, 0, "mif1heic"), "image/heic"],
    ["mp4", b(0, 0, 0, 0x18, "ftypisom", 0, 0, 2, 0, "isomiso2"), "video/mp4"],
    ["webm", b(0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x84, "webm"), "video/webm"],
    ["mp3 (ID3)", b("ID3", 4, 0), "audio/mpeg"],
    ["mp3 (frame)", b(0xff, 0xfb, 0x90, 0x64), "audio/mpeg"],
    ["ogg", b("OggS", 0), "audio/ogg"],
    ["pdf", b("%PDF-1.4"), "application/pdf"],
  ])("%s", (_n, bytes, mime) => {
    expect(sniffMime(bytes)).toBe(mime);
    expect(resolveMime(bytes, "text/plain")).toBe(mime);
  });
  test("AAC ADTS is not MP3; unknown bytes fall back to the declared type, then octet-stream", () => {
    expect(sniffMime(b(0xff, 0xf1, 0x50, 0x80))).toBeUndefined();
    expect(resolveMime(b("hello"), "text/markdown")).toBe("text/markdown");
    expect(resolveMime(b("hello"), "text/<script>")).toBe("application/octet-stream");
    expect(resolveMime(b("hello"), undefined)).toBe("application/octet-stream");
  });
});
