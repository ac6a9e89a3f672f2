// The write path at service level: index = MST content, concurrency, swaps, validation, no-op deletes, seq.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { verifyRepoCar } from "@atproto/repo";
import { DomainError } from "../../src/errors.ts";
import { httpStatusOf } from "../../src/xrpc/errors.ts";
import type { WriteOp } from "../../src/repo/service.ts";
import { invertCommitEvent } from "./_invert.ts";
import { post, readStream, repoHarness, type RepoHarness } from "./_support.ts";
import { rk } from "../_support/rkey.ts";

let h: RepoHarness;
beforeAll(async () => {
  h = await repoHarness();
});
afterAll(() => h.close());

async function expectXrpc(p: Promise<unknown>, status: number, error: string): Promise<DomainError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    expect({ status: httpStatusOf(err as DomainError), error: (err as DomainError).error }).toEqual({ status, error });
    return err as DomainError;
  }
  throw new Error(`expected ${error}, but the call succeeded`);
}

/** The repo's verified CAR content equals the records index (every collection). */
async function expectIndexEqualsMst(did: string) {
  const key = h.keys.get(did)!;
  const verified = await verifyRepoCar(await readStream((await h.repo.getRepoCar(did))!), did, key.did());
  const fromCar = new Map(verified.creates.map((c) => [`${c.collection}/${c.rkey}`, c.cid.toString()]));
  const fromIndex = new Map<string, string>();
  for (const collection of await h.repo.collections(did)) {
    let cursor: string | undefined;
    do {
      const page = await h.repo.listRecords(did, collection, { limit: 100, cursor });
      for (const r of page.records) fromIndex.set(`${collection}/${r.uri.split("/").pop()}`, r.cid);
      cursor = page.cursor;
    } while (cursor);
  }
  expect(fromIndex).toEqual(fromCar);
  return fromCar;
}

describe("writes", () => {
  test("1 000 creates + applyWrites of 200 + deletes keep the index equal to the MST; every #commit inverts to prevData", async () => {
    const { did } = await h.newRepo();
    const seqBefore = await h.sequencer.currentSeq();
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) await h.repo.write(did, [{ action: "create", collection: "app.bsky.feed.post", record: post(`p${i}`) }]);
    const createsPerSec = 1000 / ((performance.now() - t0) / 1000);
    const t1 = performance.now();
    for (let b = 0; b < 5; b++) {
      const res = await h.repo.write(
        did,
        Array.from({ length: 200 }, (_, i): WriteOp => ({ action: "create", collection: "app.bsky.feed.like", rkey: rk(`b${b}i${i}`), record: { subject: { uri: `at://${did}/app.bsky.feed.post/x`, cid: "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm" }, createdAt: "2026-01-01T00:00:00.000Z" } })),
      );
      expect(res.results).toHaveLength(200);
    }
    const batchPerSec = 1000 / ((performance.now() - t1) / 1000);
    const posts = (await h.repo.listRecords(did, "app.bsky.feed.post", { limit: 100 })).records.map((r) => r.uri.split("/").pop()!);
    // mixed commit: deletes, updates and creates together
    const mixed = await h.repo.write(did, [
      ...posts.slice(0, 40).map((rkey): WriteOp => ({ action: "delete", collection: "app.bsky.feed.post", rkey })),
      ...posts.slice(40, 60).map((rkey): WriteOp => ({ action: "update", collection: "app.bsky.feed.post", rkey, record: post(`edited ${rkey}`) })),
      { action: "create", collection: "app.bsky.feed.post", rkey: rk("mixed1"), record: post("mixed") },
    ]);
    expect(mixed.results.map((r) => r.action)).toEqual([...Array(40).fill("delete"), ...Array(20).fill("update"), "create"]);
    for (const rkey of ["b0i0", "b1i7", "b4i199"].map(rk)) await h.repo.write(did, [{ action: "delete", collection: "app.bsky.feed.like", rkey }]);

    const content = await expectIndexEqualsMst(did);
    expect(content.size).toBe(1000 - 40 + 1 + 1000 - 3);

    const evts = (await h.events()).filter((e) => e.seq > seqBefore);
    expect(evts).toHaveLength(1000 + 5 + 1 + 3);
    let prevRev: string | undefined;
    for (const e of evts) {
      expect(e.type).toBe("#commit");
      if (prevRev) expect(e.body.since).toBe(prevRev);
      expect((e.body.rev as string) > (prevRev ?? "")).toBe(true);
      prevRev = e.body.rev as string;
    }
    // Sync 1.1: spot-check inversion on single writes, every batch and the mixed commit
    for (const e of [...evts.slice(0, 20), ...evts.slice(1000)]) {
      expect(await invertCommitEvent(e.body)).toBe(String(e.body.prevData));
    }
    console.log(`[repo] sequential creates: ${createsPerSec.toFixed(0)}/s; applyWrites(200): ${batchPerSec.toFixed(0)} records/s`);
  }, 60_000);

  test("50 concurrent writes to one repo all land; revs distinct and chained; repo verifies", async () => {
    const { did } = await h.newRepo();
    const seqBefore = await h.sequencer.currentSeq();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => h.repo.write(did, [{ action: "create", collection: "app.bsky.feed.post", rkey: rk(`c${i}`), record: post(`c${i}`) }])),
    );
    expect(new Set(results.map((r) => r.commit!.rev)).size).toBe(50);
    const content = await expectIndexEqualsMst(did);
    expect(content.size).toBe(50);
    const evts = (await h.events()).filter((e) => e.seq > seqBefore);
    expect(evts).toHaveLength(50);
    for (let i = 1; i < evts.length; i++) {
      expect(evts[i]!.body.since).toBe(evts[i - 1]!.body.rev);
      expect(String(evts[i]!.body.prevData)).not.toBe("undefined");
    }
  });

  test("concurrent writes to different repos interleave safely", async () => {
    const a = await h.newRepo();
    const b = await h.newRepo();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => h.repo.write(i % 2 ? a.did : b.did, [{ action: "create", collection: "app.bsky.feed.post", rkey: rk(`x${i}`), record: post(`x${i}`) }])),
    );
    expect((await expectIndexEqualsMst(a.did)).size).toBe(10);
    expect((await expectIndexEqualsMst(b.did)).size).toBe(10);
  });
});

describe("swaps and failures leave nothing written", () => {
  let did: string;
  beforeAll(async () => {
    did = (await h.newRepo()).did;
    await h.repo.write(did, [{ action: "create", collection: "app.bsky.feed.post", rkey: rk("a"), record: post("a") }]);
  });

  const cases: Array<[string, () => Promise<unknown>, number, string]> = [
    ["swapCommit mismatch", () => h.repo.write(did, [{ action: "create", collection: "app.bsky.feed.post", record: post("n") }], { swapCommit: "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm" }), 400, "InvalidSwap"],
    ["swapRecord mismatch", () => h.repo.write(did, [{ action: "put", collection: "app.bsky.feed.post", rkey: rk("a"), record: post("n"), swapRecord: "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm" }]), 400, "InvalidSwap"],
    ["swapRecord null on an existing record", () => h.repo.write(did, [{ action: "put", collection: "app.bsky.feed.post", rkey: rk("a"), record: post("n"), swapRecord: null }]), 400, "InvalidSwap"],
    ["swapRecord on delete of a missing record", () => h.repo.write(did, [{ action: "delete", collection: "app.bsky.feed.post", rkey: rk("zz"), ifExists: true, swapRecord: "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm" }]), 400, "InvalidSwap"],
    ["create on an existing key", () => h.repo.write(did, [{ action: "create", collection: "app.bsky.feed.post", rkey: rk("a"), record: post("n") }]), 400, "InvalidRequest"],
    ["update of a missing key", () => h.repo.write(did, [{ action: "update", collection: "app.bsky.feed.post", rkey: rk("nope"), record: post("n") }]), 400, "InvalidRequest"],
    ["delete of a missing key in a batch", () => h.repo.write(did, [{ action: "create", collection: "app.bsky.feed.post", rkey: rk("ok1"), record: post("n") }, { action: "delete", collection: "app.bsky.feed.post", rkey: rk("nope") }]), 400, "InvalidRequest"],
    ["repeated path", () => h.repo.write(did, [{ action: "create", collection: "app.bsky.feed.post", rkey: rk("r"), record: post("n") }, { action: "delete", collection: "app.bsky.feed.post", rkey: rk("r") }]), 400, "InvalidRequest"],
    ["rkey ..", () => h.repo.write(did, [{ action: "create", collection: "app.bsky.feed.post", rkey: "..", record: post("n") }]), 400, "InvalidRequest"],
    ["rkey a/b", () => h.repo.write(did, [{ action: "create", collection: "app.bsky.feed.post", rkey: "a/b", record: post("n") }]), 400, "InvalidRequest"],
    ["rkey of 513 chars", () => h.repo.write(did, [{ action: "create", collection: "app.bsky.feed.post", rkey: "a".repeat(513), record: post("n") }]), 400, "InvalidRequest"],
    ["profile rkey not self", () => h.repo.write(did, [{ action: "create", collection: "app.bsky.actor.profile", rkey: "notself", record: {} }]), 400, "InvalidRequest"],
    ["invalid collection", () => h.repo.write(did, [{ action: "create", collection: "not an nsid", record: {} }]), 400, "InvalidRequest"],
    ["$type differs from collection", () => h.repo.write(did, [{ action: "create", collection: "app.bsky.feed.post", record: { ...post("n"), $type: "app.bsky.feed.like" } }]), 400, "InvalidRequest"],
    ["oversized record", () => h.repo.write(did, [{ action: "create", collection: "com.example.blob", record: { data: "x".repeat(1024 * 1024 + 1) } }]), 400, "InvalidRequest"],
    ["float in record", () => h.repo.write(did, [{ action: "create", collection: "com.example.thing", record: { n: 1.5 } }]), 400, "InvalidRequest"],
    ["invalid known lexicon", () => h.repo.write(did, [{ action: "create", collection: "app.bsky.actor.profile", rkey: "self", record: { displayName: 5 } }]), 400, "InvalidRequest"],
    ["validate:true on an unknown collection", () => h.repo.write(did, [{ action: "create", collection: "com.example.unknown", record: { a: 1 } }], { validate: true }), 400, "InvalidRequest"],
    ["managed collection", () => h.repo.write(did, [{ action: "create", collection: "net.openfederation.community.role", record: { a: 1 } }]), 400, "InvalidRequest"],
    ["201 writes", () => h.repo.write(did, Array.from({ length: 201 }, (_, i): WriteOp => ({ action: "create", collection: "app.bsky.feed.post", rkey: rk(`m${i}`), record: post("n") }))), 400, "InvalidRequest"],
    ["one invalid write among valid ones", () => h.repo.write(did, [{ action: "create", collection: "app.bsky.feed.post", rkey: rk("v1"), record: post("n") }, { action: "create", collection: "app.bsky.feed.post", rkey: "..", record: post("n") }]), 400, "InvalidRequest"],
  ];
  for (const [name, run, status, error] of cases) {
    test(`${name} → ${status} ${error}, root/index/events unchanged`, async () => {
      const before = await h.snapshot(did);
      await expectXrpc(run(), status, error);
      expect(await h.snapshot(did)).toEqual(before);
    });
  }

  test("managed collection message names the dedicated method", async () => {
    const err = await expectXrpc(h.repo.write(did, [{ action: "create", collection: "net.openfederation.identity.externalKey", record: {} }]), 400, "InvalidRequest");
    expect(err.message).toContain("net.openfederation.identity.setExternalKey");
  });

  test("deleting a missing record: no commit, no event", async () => {
    const before = await h.snapshot(did);
    const res = await h.repo.write(did, [{ action: "delete", collection: "app.bsky.feed.post", rkey: rk("missing"), ifExists: true }]);
    expect(res.commit).toBeNull();
    expect(await h.snapshot(did)).toEqual(before);
  });

  test("$type is set when missing; unknown collections are 'unknown', known 'valid'", async () => {
    const res = await h.repo.write(did, [
      { action: "create", collection: "com.example.thing", rkey: "t1", record: { a: 1 } },
      { action: "put", collection: "app.bsky.actor.profile", rkey: "self", record: { displayName: "x" } },
    ]);
    expect(res.results.map((r) => (r as { validationStatus: string }).validationStatus)).toEqual(["unknown", "valid"]);
    expect((await h.repo.getRecord(did, "com.example.thing", "t1"))!.value).toEqual({ $type: "com.example.thing", a: 1 });
    const noRkey = await h.repo.write(did, [{ action: "create", collection: "app.bsky.feed.post", record: post("tid") }]);
    expect(noRkey.results[0]!.uri).toMatch(/\/app\.bsky\.feed\.post\/[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/);
  });

  test("identical records under two keys share a block; deleting one keeps the other readable", async () => {
    await h.repo.write(did, [
      { action: "create", collection: "com.example.dup", rkey: "one", record: { same: true } },
      { action: "create", collection: "com.example.dup", rkey: "two", record: { same: true } },
    ]);
    await h.repo.write(did, [{ action: "delete", collection: "com.example.dup", rkey: "one" }]);
    await expectIndexEqualsMst(did);
  });

  test("seq is consecutive across writes and failed writes consume none", async () => {
    const seqs = (await h.events()).map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });
});
