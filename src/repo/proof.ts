// Sync 1.1 commit proofs: the MST nodes a consumer needs to invert a commit's ops and reach the previous root.
import { BlockMap, DataDiff, MST } from "@atproto/repo";

/**
 * The nodes of the new tree covering each changed key and its left/right neighbours. This is what
 * `Repo.formatCommit` puts in `relevantBlocks`; the write path sends newBlocks ∪ relevantBlocks, and
 * tests use this function to check the same construction against the interop fixtures.
 */
export async function inversionProof(tree: MST, keys: string[]): Promise<BlockMap> {
  const out = new BlockMap();
  for (const key of keys) out.addMap(await tree.getCoveringProof(key));
  return out;
}

/** `#commit` blocks (without the commit block): new MST nodes of `after` relative to `before`, plus the inversion proof. */
export async function commitProofBlocks(after: MST, before: MST | null, keys: string[]): Promise<BlockMap> {
  const diff = await DataDiff.of(after, before);
  const out = new BlockMap();
  out.addMap(diff.newMstBlocks);
  out.addMap(await inversionProof(after, keys));
  return out;
}
