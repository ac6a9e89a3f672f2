// What the repo layer asks before committing writes to a repo whose write rules live above it (community governance, 05 §4).
import type { WriteOp } from "./service.ts";

/** Reads a record's current JSON value (in the commit transaction when the guard runs there); undefined when absent. */
export type GuardRecordReader = (collection: string, rkey: string) => Promise<unknown>;

/**
 * Plugged in at the composition root (src/services.ts), so the repo layer never imports the community domain.
 * `check` runs twice for every write: once before the ops are prepared (so a governed write is refused before the
 * managed-collection check answers 400) and once inside the commit transaction under the per-DID lock, where it
 * is authoritative (nothing can change the repo between the check and the commit). Throwing refuses the write.
 * `ops` is a function: most repos are never governed, and the guard asks for the ops (their records turned to JSON)
 * only once it knows this one is, so ordinary writes pay one record read and nothing else.
 */
export interface RepoWriteGuard {
  check(did: string, ops: () => readonly WriteOp[], read: GuardRecordReader): void | Promise<void>;
}
