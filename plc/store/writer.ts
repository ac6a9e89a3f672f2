// The §6 write path: per-DID lock -> load log -> validate -> atomic append with nullification.
import type { AnyOp } from "../ops/types.ts";
import { validateOp } from "../ops/validate.ts";
import type { DidLock } from "./lock.ts";
import type { PlcStore } from "./store.ts";

export interface CommittedOp {
  seq: number;
  did: string;
  cid: string;
  createdAt: string;
  operation: AnyOp;
  opJson: string;
  nullified: string[];
}

export interface SubmitOptions {
  mode: "post" | "import";
  /** ms since epoch: Date.now() on POST, the recorded createdAt on import */
  clock: number;
  /** runs after validation succeeded, before anything is written (per-IP limit, §3 step 9) */
  beforeWrite?: () => void;
}

export class PlcWriter {
  constructor(
    private readonly store: PlcStore,
    private readonly lock: DidLock,
    private readonly onCommit: (op: CommittedOp) => void = () => {},
  ) {}

  submit(did: string, input: unknown, opts: SubmitOptions): Promise<CommittedOp> {
    // Why the lock: validation reads the log and the append depends on it; without serialising
    // writers per DID, two appends on the same head could both validate (the DB re-check in
    // append() would still catch it, but as a spurious 409 instead of a correct verdict).
    return this.lock.withLock(did, async () => {
      const log = this.store.log(did);
      let newest = -Infinity;
      for (const e of log) newest = Math.max(newest, Date.parse(e.createdAt));
      // createdAt = max(now, newest op of this DID + 1 ms): per-DID times strictly increase even if
      // the clock steps back. On import the recorded time is the clock and is validated as recorded.
      const floor = newest + 1;
      const time = opts.mode === "post" ? Math.max(opts.clock, floor) : opts.clock;
      const verdict = await validateOp(did, log, input, { mode: opts.mode, time });
      opts.beforeWrite?.();
      const createdAt = new Date(Math.max(time, floor)).toISOString();
      const opJson = JSON.stringify(verdict.operation);
      const seq = this.store.append({
        did,
        cid: verdict.cid,
        opJson,
        createdAt,
        expectedHead: verdict.head,
        nullifies: verdict.nullifies,
      });
      const committed: CommittedOp = {
        seq,
        did,
        cid: verdict.cid,
        createdAt,
        operation: verdict.operation,
        opJson,
        nullified: verdict.nullifies,
      };
      this.onCommit(committed);
      return committed;
    });
  }
}
