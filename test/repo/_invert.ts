// Sync 1.1 check used by the tests: invert a #commit's ops using ONLY the blocks it carries and compare with prevData.
import { MST, MemoryBlockstore, readCarWithRoot } from "@atproto/repo";
import * as dagCbor from "@ipld/dag-cbor";
import type { CID } from "multiformats/cid";

export interface CommitOpBody {
  action: "create" | "update" | "delete";
  path: string;
  cid: CID | null;
  prev?: CID;
}

/** Returns the MST root reached by inverting `ops` on the tree of `dataCid`, using only `blocks`. */
export async function invertWithBlocks(blocks: MemoryBlockstore, dataCid: CID, ops: CommitOpBody[]): Promise<string> {
  let tree = MST.load(blocks, dataCid as never);
  for (const op of ops) {
    if (op.action === "create") tree = await tree.delete(op.path);
    else if (op.action === "update") tree = await tree.update(op.path, op.prev as never);
    else tree = await tree.add(op.path, op.prev as never);
  }
  return (await tree.getPointer()).toString();
}

/** Inverts a stored #commit event body; returns the root it reaches (must equal prevData). */
export async function invertCommitEvent(body: Record<string, unknown>): Promise<string> {
  const { root, blocks } = await readCarWithRoot(body.blocks as Uint8Array);
  const commit = dagCbor.decode(blocks.get(root)!) as { data: CID };
  return invertWithBlocks(new MemoryBlockstore(blocks), commit.data, body.ops as CommitOpBody[]);
}
