// importRepo (03 §4): verify a CAR (DID, signature, complete tree, record data), then replace the repo with its
// records under a fresh commit signed with OUR key, in one transaction and without any event.
import type { Keypair } from "@atproto/crypto";
import type { Tx } from "../db/database.ts";
import { MemoryBlockstore, Repo, readCarWithRoot, verifyCommitSig } from "@atproto/repo";
import type { Database } from "../db/database.ts";
import { DomainError } from "../errors.ts";
import { recordToJson } from "./records.ts";
import { jsonBlobRefsOf } from "../blob/refs.ts";
import type { RepoService } from "./service.ts";

export const invalidCar = (message: string) => new DomainError("invalid", "InvalidCar", message);
export const invalidSignature = (message = "Repo commit is not signed by the key in your DID document nor by this server's key") =>
  new DomainError("invalid", "InvalidSignature", message);

export interface ImportDeps {
  db: Database;
  repo: Pick<RepoService, "createInTx" | "deleteInTx">;
  /** the blob domain's bookkeeping: forget the old refs, record the imported ones as expected (same transaction) */
  blobRefsInTx?: (tx: Tx, did: string, refs: Array<{ recordUri: string; cid: string }>, rev: string) => void | Promise<void>;
  /** runs first in the transaction, before the old repo is dropped: a condition that must still hold then (admin restore's replace rule) */
  beforeInTx?: (tx: Tx) => void | Promise<void>;
  /** runs last in the transaction with the new head: projections, events, audit; throwing rolls everything back */
  afterInTx?: (tx: Tx, commit: { cid: string; rev: string }) => void | Promise<void>;
}

export interface ImportResult {
  commit: { cid: string; rev: string };
  recordCount: number;
  /** the source commit the CAR carried */
  sourceCommit: string;
}

/**
 * `acceptKeys`: did:keys a valid source commit may be signed with (the DID document's #atproto key, ours).
 * Everything is checked before the transaction opens; the transaction only deletes and rebuilds.
 */
export async function importRepoCar(deps: ImportDeps, did: string, car: Uint8Array, acceptKeys: string[], signingKey: Keypair): Promise<ImportResult> {
  let parsed: Awaited<ReturnType<typeof readCarWithRoot>>;
  try {
    parsed = await readCarWithRoot(car);
  } catch (err) {
    throw invalidCar(`Could not parse CAR: ${shortMessage(err)}`);
  }
  const storage = new MemoryBlockstore(parsed.blocks);
  let source: Repo;
  try {
    source = await Repo.load(storage, parsed.root);
  } catch (err) {
    throw invalidCar(`CAR root is not a readable repo commit: ${shortMessage(err)}`);
  }
  if (source.did !== did) throw invalidCar("Repo commit is for a different DID");

  let signed = false;
  for (const key of acceptKeys) {
    if (await verifyCommitSig(source.commit, key).catch(() => false)) {
      signed = true;
      break;
    }
  }
  if (!signed) throw invalidSignature();

  const records: Array<{ collection: string; rkey: string; record: unknown }> = [];
  try {
    for await (const r of source.walkRecords()) records.push({ collection: r.collection, rkey: r.rkey, record: recordToJson(r.record) });
  } catch (err) {
    throw invalidCar(`Repo tree is incomplete or holds invalid data: ${shortMessage(err)}`);
  }

  const commit = await deps.db
    .transaction(async (tx) => {
      await deps.beforeInTx?.(tx);
      await deps.repo.deleteInTx(tx, did);
      // as the reference: imported records get the data-model checks, not lexicon validation (records written
      // elsewhere under older lexicons or other key types must survive a migration); 03 §2's always-validated
      // collections (net.openfederation.*, app.bsky.actor.profile) are still checked; legacy blob refs are kept (10 §7)
      const commit = await deps.repo.createInTx(tx, { did, signingKey, records, validate: false, legacyBlobs: true });
      const refs = records.flatMap((r) => jsonBlobRefsOf(r.record).map((cid) => ({ recordUri: `at://${did}/${r.collection}/${r.rkey}`, cid })));
      await deps.blobRefsInTx?.(tx, did, refs, commit.rev);
      await deps.afterInTx?.(tx, commit);
      return commit;
    }, { lockKey: did })
    .catch((err) => {
      // prepareRecord's checks (rkey, $type, lexicon validation) reject bad record data: nothing was written.
      if (err instanceof DomainError && err.kind === "invalid") throw invalidCar(`Invalid record in CAR: ${err.message}`);
      throw err;
    });
  return { commit, recordCount: records.length, sourceCommit: parsed.root.toString() };
}

function shortMessage(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return m.replace(/[^\x20-\x7e]+/g, " ").slice(0, 160);
}
