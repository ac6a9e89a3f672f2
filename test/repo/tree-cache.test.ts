// The write path's tree cache (src/repo/tree-cache.ts): never ahead of the database, never used for a moved head, bounded.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readCarWithRoot, verifyRepoCar } from "@atproto/repo";
import * as dagCbor from "@ipld/dag-cbor";
import type { CID } from "multiformats/cid";
import type { Keypair } from "@atproto/crypto";
import { RepoService } from "../../src/repo/service.ts";
import { TreeCache, type CachedTree } from "../../src/repo/tree-cache.ts";
import { createLogger } from "../../src/util/logger.ts";
import { testConfig } from "../xrpc/_app.ts";
import { invertCommitEvent } from "./_invert.ts";
import { post, readStream, repoHarness, type RepoHarness } from "./_support.ts";
import { rk } from "../_support/rkey.ts";

let h: RepoHarness;
beforeAll(async () => {
  h = await repoHarness();
});
afterAll(() => h.close());

const create = (rkey: string, text = rkey) => ({ action: "create" as const, collection: "app.bsky.feed.post", rkey: rk(rkey), record: post(text) });

/** The exported CAR verifies and holds exactly the indexed records; every #commit of the repo inverts to its prevData. */
async function assertConsistent(did: string, key: Keypair) {
  const car = await readStream((await h.repo.getRepoCar(did))!);
  const verified = await verifyRepoCar(car, did, key.did());
  const fromCar = verified.creates.map((c) => `${c.collection}/${c.rkey} ${c.cid.toString()}`).sort();
  const indexed = ((await h.snapshot(did)) as { records: Array<{ collection: string; rkey: string; cid: string }> }).records
    .map((r) => `${r.collection}/${r.rkey} ${r.cid}`)
    .sort();
  expect(fromCar).toEqual(indexed);
  const { root, blocks } = await readCarWithRoot(car);
  expect(root.toString()).toBe((await h.repo.head(did))!.cid);
  expect((dagCbor.decode(blocks.get(root)!) as { data: CID }).data.toString()).toBe((await h.repo.loadTree(did))!.pointer.toString());
  for (const e of (await h.events()).filter((e) => e.did === did && e.type === "#commit" && e.body.prevData)) {
    expect(await invertCommitEvent(e.body)).toBe(String(e.body.prevData));
  }
}

describe("tree cache", () => {
  test("a committed write leaves the new head's tree cached", async () => {
    const { did } = await h.newRepo();
    const res = await h.repo.write(did, [create("a1")]);
    await h.repo.write(did, [create("a2")]);
    const head = (await h.repo.head(did))!;
    expect(head.cid).not.toBe(res.commit!.cid);
    const entry = h.repo.trees.take(did, head.cid);
    expect(entry?.commitCid).toBe(head.cid);
    expect((await entry!.data.getPointer()).toString()).toBe((await h.repo.loadTree(did))!.pointer.toString());
  });

  test("a failure after the MST changes (injected before COMMIT) drops the entry; the next write and the CAR are correct", async () => {
    const { did, key } = await h.newRepo();
    for (let i = 0; i < 20; i++) await h.repo.write(did, [create(`b${String(i).padStart(2, "0")}`)]);
    const before = await h.snapshot(did);
    const original = h.sequencer.commitInTx;
    h.sequencer.commitInTx = () => {
      throw new Error("injected failure after blocks, index and root were written");
    };
    try {
      await expect(h.repo.write(did, [create("b99"), { action: "delete", collection: "app.bsky.feed.post", rkey: rk("b03") }])).rejects.toThrow("injected");
    } finally {
      h.sequencer.commitInTx = original;
    }
    expect(await h.snapshot(did)).toEqual(before);
    // dropped, not merely stale: nothing of the rolled-back commit is held
    expect(h.repo.trees.peek(did)).toBeUndefined();
    // the same paths again: would fail ("already exists" / "not found") if anything of the failed write survived
    await h.repo.write(did, [create("b99"), { action: "delete", collection: "app.bsky.feed.post", rkey: rk("b03") }]);
    await h.repo.write(did, [create("b98")]);
    await assertConsistent(did, key);
  });

  test("a failure after the whole write path ran (a later step of the same transaction) drops the entry too", async () => {
    const { did, key } = await h.newRepo();
    for (let i = 0; i < 10; i++) await h.repo.write(did, [create(`g${i}`)]);
    const before = await h.snapshot(did);
    const db = h.db;
    const original = db.transaction;
    // what a caller's extra in-transaction step (or a failing COMMIT) looks like to the write path
    db.transaction = ((fn: Parameters<typeof original>[0], opts?: Parameters<typeof original>[1]) =>
      original.call(db, async (tx) => {
        await fn(tx);
        throw new Error("injected failure before COMMIT");
      }, opts)) as typeof original;
    try {
      await expect(h.repo.write(did, [create("g99"), { action: "delete", collection: "app.bsky.feed.post", rkey: rk("g3") }])).rejects.toThrow("injected");
    } finally {
      db.transaction = original;
    }
    expect(await h.snapshot(did)).toEqual(before);
    expect(h.repo.trees.peek(did)).toBeUndefined();
    await h.repo.write(did, [create("g99"), { action: "delete", collection: "app.bsky.feed.post", rkey: rk("g3") }]);
    await assertConsistent(did, key);
  });

  test("a commit rejected as too large after formatting leaves the repo and the cache unchanged", async () => {
    const { did, key } = await h.newRepo();
    await h.repo.write(did, [create("c1")]);
    const before = await h.snapshot(did);
    const big = "x".repeat(11_000);
    const writes = Array.from({ length: 200 }, (_, i) => ({ action: "create" as const, collection: "com.example.big", rkey: `k${i}`, record: { text: `${i}${big}` } }));
    await expect(h.repo.write(did, writes)).rejects.toThrow("Commit too large");
    expect(await h.snapshot(did)).toEqual(before);
    expect(h.repo.trees.peek(did)).toBeUndefined();
    await h.repo.write(did, [create("c2")]);
    await assertConsistent(did, key);
  });

  test("a swapCommit race: the loser fails, the winner's tree is the one cached", async () => {
    const { did, key } = await h.newRepo();
    await h.repo.write(did, [create("d1")]);
    const head = (await h.repo.head(did))!.cid;
    const results = await Promise.allSettled([h.repo.write(did, [create("d2")], { swapCommit: head }), h.repo.write(did, [create("d3")], { swapCommit: head })]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.filter((r) => r.status === "rejected")).toHaveLength(1);
    await h.repo.write(did, [create("d4")]);
    await assertConsistent(did, key);
  });

  test("a head moved by another writer is never served from a stale entry", async () => {
    const { did, key } = await h.newRepo();
    await h.repo.write(did, [create("e1")]);
    // a second service on the same database: its commits move the head behind the first service's cache
    const other = new RepoService({
      config: testConfig({ dataDir: "/tmp" }),
      db: h.db,
      sequencer: h.sequencer,
      logger: createLogger({ level: "error" }),
      signingKeypair: async () => key,
    });
    await other.write(did, [create("e2"), { action: "delete", collection: "app.bsky.feed.post", rkey: rk("e1") }]);
    await h.repo.write(did, [create("e3")]);
    await other.write(did, [create("e4")]);
    await h.repo.write(did, [create("e5")]);
    await assertConsistent(did, key);
  });

  test("50 concurrent writes to one repo through the cache stay consistent", async () => {
    const { did, key } = await h.newRepo();
    await Promise.all(Array.from({ length: 50 }, (_, i) => h.repo.write(did, [create(`f${String(i).padStart(2, "0")}`)])));
    await assertConsistent(did, key);
  });
});

describe("TreeCache bounds", () => {
  const entry = (nodes: number, commitCid = "c"): CachedTree => ({ commitCid, rev: "r", data: null as never, storage: null as never, created: 0, nodes });

  test("an entry is only handed out for its own head, and taking it removes it", () => {
    const c = new TreeCache(100, 1000);
    c.put("did:a", entry(10, "head1"));
    expect(c.take("did:a", "head2")).toBeUndefined();
    expect(c.size).toBe(0);
    c.put("did:a", entry(10, "head1"));
    expect(c.take("did:a", "head1")?.commitCid).toBe("head1");
    expect(c.take("did:a", "head1")).toBeUndefined();
  });

  test("a tree over the per-tree budget is not kept; the total budget evicts the least recently written", () => {
    const c = new TreeCache(100, 250);
    c.put("did:big", entry(101));
    expect(c.size).toBe(0);
    c.put("did:a", entry(100));
    c.put("did:b", entry(100));
    c.put("did:a", entry(100)); // did:a written again: now the most recent
    c.put("did:c", entry(100));
    expect(c.nodeCount).toBeLessThanOrEqual(250);
    expect(c.take("did:b", "c")).toBeUndefined();
    expect(c.take("did:a", "c")?.nodes).toBe(100);
    expect(c.take("did:c", "c")?.nodes).toBe(100);
    expect(c.nodeCount).toBe(0);
  });
});
