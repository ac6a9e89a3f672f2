// The first start after `backup restore` (09 §6): one #sync per active repo, so relays refetch; the marker goes with it.
import { eq } from "drizzle-orm";
import type { Database } from "../db/database.ts";
import { serverMeta } from "../db/schema.ts";
import { headCommitInTx } from "../repo/lifecycle.ts";
import type { Sequencer } from "../sequencer/index.ts";
import type { Logger } from "../util/logger.ts";
import { RESTORE_PENDING_META_KEY } from "./markers.ts";

export interface RestoreFollowUpDeps {
  db: Database;
  sequencer: Pick<Sequencer, "syncInTx">;
  logger: Logger;
}

/**
 * Runs before the server listens. The #sync events and the marker's deletion share one transaction, so a crash
 * either announces every repo and forgets the marker, or does neither and the next start tries again. Private
 * communities stay silent (the sequencer's own rule). The crawler ping is the one every start sends.
 */
export async function runRestoreFollowUp(deps: RestoreFollowUpDeps): Promise<number | undefined> {
  const pending = await deps.db.orm.select().from(serverMeta).where(eq(serverMeta.key, RESTORE_PENDING_META_KEY)).get();
  if (!pending) return undefined;
  // no lockKey: it writes every repo's #sync (the global write lock in cluster mode)
  const announced = await deps.db.transaction(async (tx) => {
    if (!(await tx.orm.select().from(serverMeta).where(eq(serverMeta.key, RESTORE_PENDING_META_KEY)).get())) return undefined;
    const dids = await tx.raw.all<{ did: string }>(
      `SELECT r.did AS did FROM repo_roots r
       LEFT JOIN accounts a ON a.did = r.did
       LEFT JOIN communities c ON c.did = r.did
       WHERE a.status = 'approved' OR c.status = 'active'
       ORDER BY r.did`,
    );
    let n = 0;
    for (const { did } of dids) {
      const head = await headCommitInTx(tx, did);
      if (!head) continue;
      await deps.sequencer.syncInTx(tx, did, head);
      n++;
    }
    await tx.orm.delete(serverMeta).where(eq(serverMeta.key, RESTORE_PENDING_META_KEY)).run();
    return n;
  });
  if (announced !== undefined) deps.logger.info("first start after a restore: #sync sent for every active repo", { repos: announced, restore: pending.value });
  return announced;
}
