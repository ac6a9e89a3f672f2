// The one routine that removes an account's repo and keys and queues its DID tombstone: rejection (01 §3) and deletion (06 §1).
import type { Tx } from "../db/database.ts";
import type { TombstoneOutbox, TombstoneSubject } from "../identity/tombstone-outbox.ts";
import type { IdentityPort, RepoPort } from "./ports.ts";
import { deleteOAuthRowsInTx } from "../oauth/tokens.ts";

export interface PurgeDeps {
  repo: Pick<RepoPort, "deleteInTx">;
  identity: Pick<IdentityPort, "deleteKeysInTx">;
  tombstones: Pick<TombstoneOutbox, "queueInTx">;
}

/**
 * In the caller's transaction: the repo (blocks, root, records index, blob references: its blobs become GC
 * candidates), the tombstone outbox row when `tombstone` is given, then every key. Order matters: the outbox row
 * takes the recovery key's ciphertext, so it must be written before the keys are deleted.
 */
export async function purgeRepoAndIdentityInTx(deps: PurgeDeps, tx: Tx, did: string, tombstone: TombstoneSubject | null): Promise<void> {
  await deps.repo.deleteInTx(tx, did);
  if (tombstone) await deps.tombstones.queueInTx(tx, did, tombstone);
  await deps.identity.deleteKeysInTx(tx, did);
  await deleteOAuthRowsInTx(tx, did); // 11 §9.2: no OAuth session outlives the account
}
