// Genesis commits and lifecycle events: createInTx with/without announce, announceInTx, deleteInTx.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readCarWithRoot, verifyCommitSig, verifyRepoCar } from "@atproto/repo";
import * as dagCbor from "@ipld/dag-cbor";
import { CID } from "multiformats/cid";
import { readStream, repoHarness, type RepoHarness } from "./_support.ts";

let h: RepoHarness;
beforeAll(async () => {
  h = await repoHarness();
});
afterAll(() => h.close());

describe("genesis", () => {
  test("an announced genesis verifies and emits #identity, #account, #commit, #sync in order", async () => {
    const before = await h.eventCount();
    const { did, key } = await h.newRepo();
    const car = await readStream((await h.repo.getRepoCar(did))!);
    const verified = await verifyRepoCar(car, did, key.did());
    expect(verified.creates).toHaveLength(0);
    const { root, blocks } = await readCarWithRoot(car);
    expect(root.toString()).toBe((await h.repo.head(did))!.cid);
    const commit = dagCbor.decode(blocks.get(root)!) as { did: string; version: number; prev: null; sig: Uint8Array; rev: string; data: CID };
    expect(commit.version).toBe(3);
    expect(commit.prev).toBeNull();
    expect(await verifyCommitSig(commit as never, key.did())).toBe(true);

    const evts = (await h.events()).slice(before);
    expect(evts.map((e) => e.type)).toEqual(["#identity", "#account", "#commit", "#sync"]);
    expect(evts[0]!.body.handle).toMatch(/\.test$/);
    expect(evts[1]!.body.active).toBe(true);
    const c = evts[2]!.body;
    expect(c.since).toBeNull();
    expect(c.prevData).toBeUndefined();
    expect(c.rebase).toBe(false);
    expect(c.tooBig).toBe(false);
    expect(c.blobs).toEqual([]);
    expect(String(c.commit)).toBe(root.toString());
    const sync = evts[3]!.body;
    const syncCar = await readCarWithRoot(sync.blocks as Uint8Array);
    expect(syncCar.root.toString()).toBe(root.toString());
    expect(syncCar.blocks.size).toBe(1);
    expect(sync.rev).toBe(commit.rev);
  });

  test("genesis with initial records indexes them", async () => {
    const { Secp256k1Keypair } = await import("@atproto/crypto");
    const did = "did:plc:genesiswithrecords000001";
    const key = await Secp256k1Keypair.create();
    h.keys.set(did, key);
    await h.db.transaction((tx) =>
      h.repo.createInTx(tx, {
        did,
        signingKey: key,
        records: [{ collection: "app.bsky.actor.profile", rkey: "self", record: { displayName: "Alice" } }],
      }),
    );
    const rec = (await h.repo.getRecord(did, "app.bsky.actor.profile", "self"))!;
    expect(rec.value).toEqual({ $type: "app.bsky.actor.profile", displayName: "Alice" });
    expect(rec.validationStatus).toBe("valid");
    const verified = await verifyRepoCar(await readStream((await h.repo.getRepoCar(did))!), did, key.did());
    expect(verified.creates.map((c) => `${c.collection}/${c.rkey}`)).toEqual(["app.bsky.actor.profile/self"]);
  });

  test("pending genesis emits nothing; announcing an existing head is #account, #identity, #sync of the head", async () => {
    const before = await h.eventCount();
    const { did } = await h.newRepo({ announce: false });
    expect(await h.eventCount()).toBe(before);
    await h.db.transaction((tx) => h.repo.announceInTx(tx, did, "pending.test"));
    const evts = (await h.events()).slice(before);
    expect(evts.map((e) => e.type)).toEqual(["#account", "#identity", "#sync"]);
    const sync = await readCarWithRoot(evts[2]!.body.blocks as Uint8Array);
    expect(sync.root.toString()).toBe((await h.repo.head(did))!.cid);
  });

  test("deleteInTx drops blocks, root and records", async () => {
    const { did } = await h.newRepo();
    await h.repo.write(did, [{ action: "create", collection: "app.bsky.feed.post", record: { text: "x", createdAt: "2026-01-01T00:00:00.000Z" } }]);
    await h.db.transaction((tx) => h.repo.deleteInTx(tx, did));
    expect(await h.repo.head(did)).toBeNull();
    expect(await h.repo.blockCount(did)).toBe(0);
    expect(await h.repo.recordCount(did)).toBe(0);
    expect(await h.repo.getRepoCar(did)).toBeNull();
  });

  test("a rolled-back genesis leaves nothing and consumes no seq", async () => {
    const seqBefore = await h.sequencer.currentSeq();
    const { Secp256k1Keypair } = await import("@atproto/crypto");
    const key = await Secp256k1Keypair.create();
    const did = "did:plc:rolledback00000000000001";
    await expect(
      h.db.transaction(async (tx) => {
        await h.repo.createInTx(tx, { did, signingKey: key, announce: { handle: "rb.test" } });
        throw new Error("account creation failed later");
      }),
    ).rejects.toThrow("account creation failed later");
    expect(await h.repo.head(did)).toBeNull();
    expect(await h.sequencer.currentSeq()).toBe(seqBefore);
    await h.newRepo();
    const evts = await h.events();
    expect(evts.map((e) => e.seq)).toEqual(evts.map((_, i) => i + 1));
  });
});
