// TreeCache: the loaded data MST of recently written repos, so a write does not re-read and re-parse its path from the database.
import type { MST } from "@atproto/repo";
import type { CID } from "multiformats/cid";
import type { SqlRepoStorage } from "./storage.ts";

export interface CachedTree {
  /** the commit this tree belongs to: an entry is only used when the database head is exactly this commit */
  commitCid: string;
  rev: string;
  data: MST;
  /** the (non-memoising) storage the tree's nodes lazy-load through: bound to the taking write's transaction (`bind`) */
  storage: SqlRepoStorage;
  /** MST nodes created by the commits since the tree was loaded */
  created: number;
  /** upper bound on the MST nodes held in memory (nodes loaded from storage + nodes created by commits) */
  nodes: number;
}

/**
 * Rules (docs/repo.md "Tree cache"):
 * - `take` REMOVES the entry: a write owns the tree for the duration of its transaction and puts the new tree
 *   back with `put` only from `tx.afterCommit`. A rolled-back write therefore leaves no entry at all, and the
 *   cache can never be ahead of the database.
 * - The caller compares `commitCid` with the head it read inside the transaction; any other writer of the
 *   repo (genesis, import, deletion) changes the head, so a stale entry is simply not used.
 * - Bounded: each tree counts its nodes (an over-estimate: replaced nodes are never subtracted); a tree over
 *   `perTree` is dropped (the next write reloads lazily from the root), and least recently written trees are
 *   evicted while the total exceeds `total`.
 */
export class TreeCache {
  private readonly trees = new Map<string, CachedTree>();
  private total = 0;

  constructor(
    readonly perTree = 4_000,
    readonly maxTotal = 12_000,
  ) {}

  take(did: string, commitCid: CID | string): CachedTree | undefined {
    const t = this.trees.get(did);
    if (!t) return undefined;
    this.drop(did);
    return t.commitCid === commitCid.toString() ? t : undefined;
  }

  /** The entry for a DID without taking it (tests, diagnostics). */
  peek(did: string): CachedTree | undefined {
    return this.trees.get(did);
  }

  put(did: string, tree: CachedTree): void {
    this.drop(did);
    if (tree.nodes > this.perTree) return;
    this.trees.set(did, tree);
    this.total += tree.nodes;
    // Map iteration order is insertion order: the first entries are the least recently written repos
    for (const [k, t] of this.trees) {
      if (this.total <= this.maxTotal) break;
      this.trees.delete(k);
      this.total -= t.nodes;
    }
  }

  drop(did: string): void {
    const t = this.trees.get(did);
    if (!t) return;
    this.trees.delete(did);
    this.total -= t.nodes;
  }

  get size(): number {
    return this.trees.size;
  }

  get nodeCount(): number {
    return this.total;
  }
}
