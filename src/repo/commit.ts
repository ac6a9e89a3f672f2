// Commit formatting: `Repo.formatCommit` of @atproto/repo, over an already loaded tree and pre-encoded records.
import type { Keypair } from "@atproto/crypto";
import { BlockMap, DataDiff, signCommit, type MST } from "@atproto/repo";
// common-web is @atproto/repo's own TID source: revs come from the same clock as before.
import { TID } from "@atproto/common-web";
import type { CID } from "multiformats/cid";
import { addCoveringProof, type Block } from "./mst.ts";

export type TreeWrite =
  | { action: "create" | "update"; key: string; cid: CID; bytes: Uint8Array }
  | { action: "delete"; key: string };

export interface FormattedCommit {
  cid: CID;
  rev: string;
  bytes: Uint8Array;
  /** the new data tree and its root */
  data: MST;
  dataCid: CID;
  /** what the commit stores: new MST nodes, new record blocks, the commit block */
  newBlocks: Block[];
  /** the `#commit` blocks: newBlocks ∪ covering proof of every written key, commit block first */
  eventBlocks: Block[];
  /** blocks the new commit no longer reaches (old MST nodes, replaced record CIDs, the previous commit) */
  removedCids: CID[];
  /** MST nodes created by this commit (for the tree cache's size accounting) */
  newNodeCount: number;
}

/**
 * Same output as `Repo.formatCommit` (same tree edits, diff, covering proofs, rev clock and signature), but
 * it starts from a loaded `MST` (cached across writes by the caller), takes the records' CID and bytes from
 * `prepareRecord` instead of encoding them again, and collects blocks without BlockMap's CID re-parsing.
 */
export async function formatCommit(
  did: string,
  prev: { cid: CID; rev: string; data: MST },
  writes: TreeWrite[],
  keypair: Keypair,
  /** a caller-chosen rev (already checked to follow prev.rev); default: the next TID after prev.rev */
  wantedRev?: string,
): Promise<FormattedCommit> {
  const leaves = new Map<string, Block>();
  let data = prev.data;
  for (const w of writes) {
    if (w.action === "create") data = await data.add(w.key, w.cid as never);
    else if (w.action === "update") data = await data.update(w.key, w.cid as never);
    else data = await data.delete(w.key);
    if (w.action !== "delete") leaves.set(w.cid.toString(), { cid: w.cid, bytes: w.bytes });
  }
  const dataCid = (await data.getPointer()) as unknown as CID;
  const diff = await DataDiff.of(data, prev.data);

  const newBlocks: Block[] = [];
  for (const [cid, bytes] of diff.newMstBlocks) newBlocks.push({ cid: cid as unknown as CID, bytes });
  const newNodeCount = newBlocks.length;
  const addedLeaves: Block[] = [];
  for (const cid of diff.newLeafCids.toList()) {
    const leaf = leaves.get(cid.toString());
    if (!leaf) throw new Error(`Missing leaf block: ${cid.toString()}`);
    addedLeaves.push(leaf);
  }
  newBlocks.push(...addedLeaves);

  const proof = new Map<string, Block>();
  for (const w of writes) await addCoveringProof(data, w.key, proof);

  const rev = wantedRev ?? TID.nextStr(prev.rev);
  const commit = await signCommit({ did, version: 3, rev, prev: null, data: dataCid as never }, keypair);
  const commitBlock = new BlockMap();
  const cid = (await commitBlock.add(commit as never)) as unknown as CID;
  const bytes = commitBlock.get(cid as never)!;
  newBlocks.push({ cid, bytes });
  const removedCids = diff.removedCids.toList() as unknown as CID[];
  if (!cid.equals(prev.cid)) removedCids.push(prev.cid);

  const eventBlocks: Block[] = [{ cid, bytes }];
  const seen = new Set<string>([cid.toString()]);
  for (const b of [...newBlocks, ...proof.values()]) {
    const k = b.cid.toString();
    if (seen.has(k)) continue;
    seen.add(k);
    eventBlocks.push(b);
  }
  return { cid, rev, bytes, data, dataCid, newBlocks, eventBlocks, removedCids, newNodeCount };
}
