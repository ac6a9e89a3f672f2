// MST helpers for the write path: a memo on node serialisation and covering proofs collected without BlockMap churn.
import { MST, type NodeEntry } from "@atproto/repo";
import type { CID } from "multiformats/cid";

export interface Block {
  cid: CID;
  bytes: Uint8Array;
}

/**
 * `MST.serialize()` re-encodes the node (DAG-CBOR + SHA-256) on every call and `@atproto/repo` calls it for
 * `getPointer`, for every diffed node and three times per proven key (key, left and right sibling). An MST
 * node is immutable: `entries` is set once (at construction or by the lazy load, which yields the content
 * of `pointer`) and never mutated in place (`getEntries` hands out copies), and child pointers are pure
 * functions of the children's content. So the result is a pure function of the instance and memoising it
 * per instance changes no output. A WeakMap keeps it exactly as long as the node itself.
 */
const serialized = new WeakMap<MST, Promise<Block>>();
const proto = MST.prototype as unknown as { serialize(this: MST): Promise<Block>; __ofpdsMemo?: true };
if (!proto.__ofpdsMemo) {
  const original = proto.serialize;
  proto.serialize = function (this: MST): Promise<Block> {
    let p = serialized.get(this);
    if (!p) {
      p = original.call(this);
      serialized.set(this, p);
      // a failed load (missing block) must not be remembered
      p.catch(() => serialized.delete(this));
    }
    return p;
  };
  proto.__ofpdsMemo = true;
}

/**
 * The covering proof of `key` in `tree` (the nodes on the paths to the key and to its left and right
 * neighbours), added to `out` keyed by CID string. Same node selection as `MST.getCoveringProof`
 * (proofForKey / proofForLeftSib / proofForRightSib), without building and re-parsing one BlockMap per key.
 */
export async function addCoveringProof(tree: MST, key: string, out: Map<string, Block>): Promise<void> {
  await proofForKey(tree, key, out);
  await proofForLeftSib(tree, key, out);
  await proofForRightSib(tree, key, out);
}

async function add(node: MST, out: Map<string, Block>): Promise<void> {
  const b = await node.serialize();
  const k = b.cid.toString();
  if (!out.has(k)) out.set(k, { cid: b.cid as CID, bytes: b.bytes });
}

const isTree = (e: NodeEntry | undefined): e is MST => e !== undefined && e.isTree();

async function proofForKey(node: MST, key: string, out: Map<string, Block>): Promise<void> {
  const entries = await node.getEntries();
  const index = await node.findGtOrEqualLeafIndex(key);
  const found = entries[index];
  if (!(found && found.isLeaf() && found.key === key)) {
    const prev = entries[index - 1];
    if (!isTree(prev)) return;
    await proofForKey(prev, key, out);
  }
  await add(node, out);
}

async function proofForLeftSib(node: MST, key: string, out: Map<string, Block>): Promise<void> {
  const entries = await node.getEntries();
  const index = await node.findGtOrEqualLeafIndex(key);
  const prev = entries[index - 1];
  if (isTree(prev)) await proofForLeftSib(prev, key, out);
  await add(node, out);
}

async function proofForRightSib(node: MST, key: string, out: Map<string, Block>): Promise<void> {
  const entries = await node.getEntries();
  const index = await node.findGtOrEqualLeafIndex(key);
  const found = entries[index] ?? entries[index - 1];
  if (found) {
    if (found.isTree()) await proofForRightSib(found, key, out);
    else {
      const next = found.key === key ? entries[index + 1] : entries[index - 1];
      if (isTree(next)) await proofForRightSib(next, key, out);
    }
  }
  await add(node, out);
}
