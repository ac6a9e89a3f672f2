// What the governance paths use (spec 05 §4-§7), and the one commit recipe they share: plan against the repo head,
// commit with swapCommit = that head, plan again when the head moved.
import type { Database, Tx } from "../db/database.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { RepoService, WriteOp, WriteResult } from "../repo/service.ts";
import type { Sequencer } from "../sequencer/sequencer.ts";
import type { LexiconRegistry } from "../lexicon/registry.ts";
import { DomainError, invalidRequest } from "../errors.ts";
import type { CommunityService } from "./service.ts";
import type { RemoteMembers } from "./remote.ts";
import { communityStatusGate, type GateCtx } from "./gate.ts";
import { communityNotFound } from "./errors.ts";
import type { CommunityRow } from "./schema.ts";

export interface GovernanceDeps extends GateCtx {
  db: Database;
  communities: Pick<CommunityService, "getRow" | "writer" | "handleOf">;
  repo: Pick<RepoService, "head" | "announceInTx">;
  sequencer: Pick<Sequencer, "accountInTx">;
  audit: Pick<AuditLog, "writeInTx">;
  remote: Pick<RemoteMembers, "actor">;
  lexicons: LexiconRegistry;
  /** the server clock (services.clock) */
  now: () => number;
}

export interface Planned<T> {
  ops: WriteOp[];
  /** the commit's rev when a record in it names it (appliedRev); must follow the planned head's rev */
  rev?: string;
  /** audit rows and checks in the commit transaction */
  inTx?: (tx: Tx, result: WriteResult) => Promise<void>;
  result: (res: WriteResult | null) => T;
}

/**
 * Why plan-then-swap: a proposal's next state (votes, tally, the applied change, the stale-target check) depends on
 * the whole repo state. Each plan reads the committed state at head H and commits with swapCommit = H, so the
 * commit lands only if nothing at all changed in between (a concurrent vote, a member joining, a role edit); when
 * the head moved the repo answers InvalidSwap and we plan again on the new state. The status gate is re-checked
 * inside the transaction because a community's status lives outside its repo.
 */
export async function commitAtHead<T>(deps: GovernanceDeps, did: string, plan: (head: { cid: string; rev: string }, community: CommunityRow) => Promise<Planned<T>>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const community = await deps.communities.getRow(did);
    const head = await deps.repo.head(did);
    if (!community || !head) throw communityNotFound();
    const p = await plan(head, community);
    if (!p.ops.length) return p.result(null);
    try {
      const res = await deps.communities.writer.write(did, p.ops, {
        swapCommit: head.cid,
        ...(p.rev ? { rev: p.rev } : {}),
        inTx: async (tx, result) => {
          const row = await deps.communities.getRow(did, tx.orm);
          if (!row) throw communityNotFound();
          communityStatusGate(row, { write: true, now: deps.now() });
          await p.inTx?.(tx, result);
        },
      });
      return p.result(res);
    } catch (err) {
      if (!(err instanceof DomainError && err.error === "InvalidSwap")) throw err;
      if (attempt >= 5) throw invalidRequest("The community changed concurrently; try again");
    }
  }
}

export const isoAt = (ms: number) => new Date(ms).toISOString();
