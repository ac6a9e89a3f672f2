// Holder exports of a full repo CAR (06 §2): recorded only once the whole CAR has been handed to the client.
import type { Database, Tx } from "../db/database.ts";
import type { Clock } from "../util/clock.ts";

/**
 * One domain's answer to "does `callerDid` hold repo `did`?": when it does, the rule records, in `tx`, a complete
 * export of `did` at `rev` and returns true; otherwise it writes nothing and returns false. Accounts (the account
 * itself) and communities (the owner) each plug one in at the composition root, so this layer imports neither.
 */
export type RepoHolderRule = (tx: Tx, did: string, callerDid: string, rev: string, at: string) => boolean | Promise<boolean>;

export interface HolderExportDeps {
  db: Database;
  rules: readonly RepoHolderRule[];
  now: Clock;
}

export class HolderExports {
  constructor(private readonly deps: HolderExportDeps) {}

  /** Records now (a JSON export, already complete in memory), at `at` (default: the clock): true when `callerDid` holds `did`. */
  async recordInTx(tx: Tx, did: string, callerDid: string, rev: string, at = new Date(this.deps.now()).toISOString()): Promise<boolean> {
    // in order, stopping at the first rule that holds (each writes in `tx` only when it does)
    for (const rule of this.deps.rules) if (await rule(tx, did, callerDid, rev, at)) return true;
    return false;
  }

  /**
   * Passes `car` through and, after its last chunk and before the end of the stream, records the download when
   * `callerDid` holds `did`. Why at the end: a download aborted halfway leaves the holder without a copy, so it
   * must not count (the stream is cancelled and nothing is recorded). Why before closing: the client sees the
   * end of the body only once the record has committed; if the record fails, the body ends in an error instead.
   * `rev` is the head read before the CAR's own snapshot, so a commit racing the download leaves the record stale.
   */
  recordOnComplete(car: ReadableStream<Uint8Array>, did: string, callerDid: string, rev: string): ReadableStream<Uint8Array> {
    const reader = car.getReader();
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        const next = await reader.read();
        if (!next.done) {
          controller.enqueue(next.value);
          return;
        }
        await this.deps.db.transaction((tx) => this.recordInTx(tx, did, callerDid, rev), { lockKey: did });
        controller.close();
      },
      cancel: (reason) => reader.cancel(reason),
    });
  }
}
