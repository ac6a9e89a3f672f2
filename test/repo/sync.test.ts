// Sync reads at service level: getRepo (full, `since`, a large export), sync.getRecord proofs.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readCar, readCarWithRoot, verifyProofs, verifyRecords, verifyRepoCar } from "@atproto/repo";
import { CID } from "multiformats/cid";
import { post, readStream, repoHarness, type RepoHarness } from "./_support.ts";
import { rk } from "../_support/rkey.ts";

let h: RepoHarness;
beforeAll(async () => {
  h = await repoHarness();
});
afterAll(() => h.close());

describe("getRepo", () => {
  test("`since` returns only blocks written after that rev", async () => {
    const { did, key } = await h.newRepo();
    const a = await h.repo.write(did, [{ action: "create", collection: "app.bsky.feed.post", rkey: rk("a"), record: post("a") }]);
    const b = await h.repo.write(did, [{ action: "create", collection: "app.bsky.feed.post", rkey: rk("b"), record: post("b") }]);
    const diff = await readCarWithRoot(await readStream((await h.repo.getRepoCar(did, a.commit!.rev))!));
    expect(diff.root.toString()).toBe(b.commit!.cid);
    const cids = new Set(diff.blocks.cids().map((c) => c.toString()));
    expect(cids.has(b.commit!.cid)).toBe(true);
    expect(cids.has((b.results[0] as { cid: string }).cid)).toBe(true);
    expect(cids.has((a.results[0] as { cid: string }).cid)).toBe(false);
    expect(cids.has(a.commit!.cid)).toBe(false);
    const full = await readCar(await readStream((await h.repo.getRepoCar(did))!));
    expect(full.blocks.size).toBeGreaterThan(diff.blocks.size);
    // since = head: nothing newer
    const none = await readCarWithRoot(await readStream((await h.repo.getRepoCar(did, b.commit!.rev))!));
    expect(none.blocks.size).toBe(0);
    await verifyRepoCar(await readStream((await h.repo.getRepoCar(did))!), did, key.did());
  });

  test("the commit block comes first; a commit landing mid-stream does not tear the CAR", async () => {
    const { did, key } = await h.newRepo();
    // large enough for several CAR chunks and block pages, so the stream is really open while the repo changes
    for (let b = 0; b < 15; b++) await h.repo.write(did, Array.from({ length: 200 }, (_, i) => ({ action: "create" as const, collection: "app.bsky.feed.post", rkey: rk(`s${b}-${i}`), record: post(`s${b} ${i} ${"x".repeat(80)}`) })));
    const stream = (await h.repo.getRepoCar(did))!;
    const reader = stream.getReader();
    const first = await reader.read();
    // deletes free blocks the rest of the stream still has to send
    await h.repo.write(did, Array.from({ length: 100 }, (_, i) => ({ action: "delete" as const, collection: "app.bsky.feed.post", rkey: rk(`s${i % 15}-${Math.floor(i / 15)}`) })));
    const chunks = [first.value!];
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      chunks.push(r.value);
    }
    const car = new Uint8Array(Buffer.concat(chunks));
    expect(chunks.length).toBeGreaterThan(1);
    const verified = await verifyRepoCar(car, did, key.did());
    expect(verified.creates).toHaveLength(3000);
  });

  // Speed is a benchmark (`bun run bench`), never asserted here; this checks a large export is complete and valid.
  test("a 10 000-record repo exports as one CAR that verifies and holds every record", async () => {
    const { did, key } = await h.newRepo();
    const N = 10_000;
    for (let b = 0; b < N / 200; b++) {
      await h.repo.write(did, Array.from({ length: 200 }, (_, i) => ({ action: "create" as const, collection: "app.bsky.feed.post", rkey: rk(`t${b}-${i}`), record: post(`t${b} ${i}`) })));
    }
    const verified = await verifyRepoCar(await readStream((await h.repo.getRepoCar(did))!), did, key.did());
    const posts = verified.creates.filter((c) => c.collection === "app.bsky.feed.post");
    expect(posts).toHaveLength(N);
    expect(new Set(posts.map((c) => c.rkey)).size).toBe(N);
  }, 120_000);
});

describe("sync.getRecord", () => {
  test("the proof CAR verifies against the signing key; a missing record → null", async () => {
    const { did, key } = await h.newRepo();
    await h.repo.write(did, Array.from({ length: 100 }, (_, i) => ({ action: "create" as const, collection: "app.bsky.feed.post", rkey: rk(`r${i}`), record: post(`r${i}`) })));
    const rec = (await h.repo.getRecord(did, "app.bsky.feed.post", rk("r42")))!;
    const car = (await h.repo.getRecordProofCar(did, "app.bsky.feed.post", rk("r42")))!;
    const claims = await verifyRecords(car, did, key.did());
    expect(claims.map((c) => `${c.collection}/${c.rkey}`)).toEqual([`app.bsky.feed.post/${rk("r42")}`]);
    const proved = await verifyProofs(car, [{ collection: "app.bsky.feed.post", rkey: rk("r42"), cid: CID.parse(rec.cid) as never }], did, key.did());
    expect(proved.verified).toHaveLength(1);
    const { root } = await readCarWithRoot(car);
    expect(root.toString()).toBe((await h.repo.head(did))!.cid);
    expect(await h.repo.getRecordProofCar(did, "app.bsky.feed.post", "nope")).toBeNull();
  });
});
