// Interop commit-proof fixtures: trees built through SqlRepoStorage; #commit blocks hold every proof CID and invert to the old root.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { BlockMap, MST, MemoryBlockstore } from "@atproto/repo";
import { CID } from "multiformats/cid";
import { commitProofBlocks } from "../../src/repo/proof.ts";
import { SqlRepoStorage } from "../../src/repo/storage.ts";
import fixtures from "../fixtures/atproto/firehose/commit-proof-fixtures.json" with { type: "json" };
import { invertWithBlocks } from "./_invert.ts";
import { repoHarness, type RepoHarness } from "./_support.ts";

interface Fixture {
  comment: string;
  leafValue: string;
  keys: string[];
  adds: string[];
  dels: string[];
  rootBeforeCommit: string;
  rootAfterCommit: string;
  blocksInProof: string[];
}

let h: RepoHarness;
beforeAll(async () => {
  h = await repoHarness();
});
afterAll(() => h.close());

async function persist(storage: SqlRepoStorage, tree: MST, rev: string): Promise<MST> {
  const { root, blocks } = await tree.getUnstoredBlocks();
  await storage.putMany(blocks, rev);
  return MST.load(storage, root);
}

describe("commit-proof fixtures", () => {
  (fixtures as Fixture[]).forEach((f, i) => {
    test(f.comment, async () => {
      await h.db.transaction(async (tx) => {
        const storage = new SqlRepoStorage(tx.raw, `did:plc:fixture${i}`);
        const leaf = CID.parse(f.leafValue) as never;
        let before = await MST.create(storage);
        for (const k of f.keys) before = await before.add(k, leaf);
        before = await persist(storage, before, "rev0");
        expect((await before.getPointer()).toString()).toBe(f.rootBeforeCommit);

        let after = before;
        for (const k of f.adds) after = await after.add(k, leaf);
        for (const k of f.dels) after = await after.delete(k);
        after = await persist(storage, after, "rev1");
        expect((await after.getPointer()).toString()).toBe(f.rootAfterCommit);

        const blocks = await commitProofBlocks(after, before, [...f.adds, ...f.dels]);
        const have = new Set(blocks.cids().map((c) => c.toString()));
        for (const cid of f.blocksInProof) expect(have.has(cid)).toBe(true);

        // Sync 1.1: the blocks alone invert the ops back to the old root
        const only = new BlockMap();
        only.addMap(blocks);
        const ops = [
          ...f.adds.map((path) => ({ action: "create" as const, path, cid: leaf })),
          ...f.dels.map((path) => ({ action: "delete" as const, path, cid: null, prev: leaf })),
        ];
        expect(await invertWithBlocks(new MemoryBlockstore(only), CID.parse(f.rootAfterCommit), ops)).toBe(f.rootBeforeCommit);
        throw new RollbackFixture();
      }).catch((err) => {
        if (!(err instanceof RollbackFixture)) throw err;
      });
    });
  });
});

/** fixture trees are not real repos: roll their blocks back */
class RollbackFixture extends Error {}
