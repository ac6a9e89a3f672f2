// RepoService, repo lifecycle in the caller's transaction: genesis commit, announcing an approved repo, deletion.
import * as dagCbor from "@ipld/dag-cbor";
import { BlockMap, Repo, WriteOpAction, type RecordWriteOp } from "@atproto/repo";
import { CID } from "multiformats/cid";
import type { Tx } from "../db/database.ts";
import { blocksToCar } from "./car.ts";
import { assertCollection, assertRkey, lexiconApplies, prepareRecord, type PreparedRecord } from "./records.ts";
import { dropRepoBlobRefsInTx } from "../blob/refs.ts";
import { SqlRepoStorage } from "./storage.ts";
import { indexPutInTx } from "./write.ts";
import type { GenesisInput, RepoCtx } from "./service.ts";

/** Genesis commit inside the caller's transaction (account/community creation's finalize step). */
export async function createInTx(ctx: RepoCtx, tx: Tx, input: GenesisInput): Promise<{ cid: string; rev: string }> {
  const { did, signingKey } = input;
  const storage = new SqlRepoStorage(tx.raw, did);
  if (await storage.root()) throw new Error(`repo already exists for ${did}`);
  const writes: RecordWriteOp[] = [];
  const indexed: Array<{ collection: string; rkey: string; rec: PreparedRecord }> = [];
  for (const r of input.records ?? []) {
    assertCollection(r.collection);
    assertRkey(ctx.lexicons, r.collection, r.rkey, lexiconApplies(r.collection, input.validate));
    const rec = await prepareRecord(ctx.lexicons, r.collection, r.record, input.validate, { legacyBlobs: input.legacyBlobs });
    writes.push({ action: WriteOpAction.Create, collection: r.collection as never, rkey: r.rkey, record: rec.ipld as never });
    indexed.push({ collection: r.collection, rkey: r.rkey, rec });
  }
  const commit = await Repo.formatInitCommit(storage, did, signingKey, writes as never);
  const now = new Date().toISOString();
  for (const { collection, rkey, rec } of indexed) await indexPutInTx(tx, did, collection, rkey, rec, now);
  await storage.putMany(commit.newBlocks, commit.rev);
  const commitBytes = commit.newBlocks.get(commit.cid)!;
  const dataCid = (dagCbor.decode(commitBytes) as { data: CID }).data;
  await storage.setRoot(commit.cid as CID, commit.rev, dataCid);
  if (input.announce) {
    const seq = ctx.deps.sequencer;
    await seq.identityInTx(tx, did, input.announce.handle);
    await seq.accountInTx(tx, did, true);
    await seq.commitInTx(tx, {
      repo: did,
      commit: commit.cid as CID,
      rev: commit.rev,
      since: null,
      blocks: commitCar(commit.cid as CID, commit.newBlocks),
      ops: indexed.map(({ collection, rkey, rec }) => ({ action: "create", path: `${collection}/${rkey}`, cid: rec.cid })),
    });
    await seq.syncInTx(tx, did, { cid: commit.cid as CID, bytes: commitBytes, rev: commit.rev });
  }
  return { cid: commit.cid.toString(), rev: commit.rev };
}

/**
 * A repo goes public: #account{active:true}, #identity, #sync of the current head. With `genesisCommit`
 * (an approved account, spec 10 §8 item 5) it is #identity, #account, the genesis #commit, #sync: the head is still the
 * genesis commit because a pending account cannot write, so every stored block belongs to it and every
 * indexed record is one of its create ops.
 */
export async function announceInTx(ctx: RepoCtx, tx: Tx, did: string, handle: string, opts: { genesisCommit?: boolean } = {}): Promise<void> {
  const storage = new SqlRepoStorage(tx.raw, did);
  const root = await storage.root();
  if (!root) throw new Error(`no repo for ${did}`);
  const bytes = await storage.getBytes(root.cid);
  if (!bytes) throw new Error(`commit block missing for ${did}`);
  const seq = ctx.deps.sequencer;
  // 03 §7 orders the two triggers differently: a genesis (approval) is #identity, #account, #commit, #sync like a
  // creation; a repo that already existed going visible (private → public, did:web verified, import done) is
  // #account, #identity, #sync like an activation.
  if (opts.genesisCommit) await seq.identityInTx(tx, did, handle);
  await seq.accountInTx(tx, did, true);
  if (!opts.genesisCommit) await seq.identityInTx(tx, did, handle);
  if (opts.genesisCommit) {
    const blocks = new BlockMap();
    for (const b of await tx.raw.all<{ cid: Uint8Array; bytes: Uint8Array }>("SELECT cid, bytes FROM repo_blocks WHERE did = ?", [did])) {
      blocks.set(CID.decode(new Uint8Array(b.cid)) as never, new Uint8Array(b.bytes));
    }
    const ops = (
      await tx.raw.all<{ collection: string; rkey: string; cid: string }>("SELECT collection, rkey, cid FROM records WHERE did = ? ORDER BY collection, rkey", [did])
    ).map((r) => ({ action: "create" as const, path: `${r.collection}/${r.rkey}`, cid: CID.parse(r.cid) }));
    await seq.commitInTx(tx, { repo: did, commit: root.cid as CID, rev: root.rev, since: null, blocks: commitCar(root.cid as CID, blocks), ops });
  }
  await seq.syncInTx(tx, did, { cid: root.cid as CID, bytes, rev: root.rev });
}

/** Drop the repo's blocks, root and records index (rejection, deletion). Emits nothing. */
export async function deleteInTx(ctx: RepoCtx, tx: Tx, did: string): Promise<void> {
  // the head check would ignore the entry anyway; dropping it frees the memory (and only after COMMIT)
  tx.afterCommit(() => ctx.trees.drop(did));
  await tx.raw.run("DELETE FROM records WHERE did = ?", [did]);
  await dropRepoBlobRefsInTx(tx, did);
  await new SqlRepoStorage(tx.raw, did).destroy();
}

/** The head commit (CID, signed block, rev) read in the caller's transaction, for a `#sync`; null without a repo or its block. */
export async function headCommitInTx(tx: Tx, did: string): Promise<{ cid: CID; bytes: Uint8Array; rev: string } | null> {
  const storage = new SqlRepoStorage(tx.raw, did);
  const root = await storage.root();
  const bytes = root ? await storage.getBytes(root.cid) : null;
  return root && bytes ? { cid: root.cid as CID, bytes, rev: root.rev } : null;
}

/** The `#commit` CAR: the commit block first (and the only root), then the other blocks. */
function commitCar(commitCid: CID, blocks: BlockMap): Uint8Array {
  const commitBytes = blocks.get(commitCid as never)!;
  const rest: Array<{ cid: CID; bytes: Uint8Array }> = [];
  for (const b of blocks.entries()) if (!b.cid.equals(commitCid as never)) rest.push({ cid: b.cid as CID, bytes: b.bytes });
  return blocksToCar(commitCid, [{ cid: commitCid, bytes: commitBytes }, ...rest]);
}
