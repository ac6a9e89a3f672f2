// Transfer, source side, token-authenticated calls from the destination (04 §8): verify, download the CAR, confirm.
import { and, eq, gt } from "drizzle-orm";
import type { PlcOperation } from "../identity/plc-client.ts";
import { identityKeys } from "../identity/schema.ts";
import { atprotoKeyOf, pdsEndpointOf } from "../identity/service-auth.ts";
import { upstreamFailure } from "../errors.ts";
import { communities, type CommunityRow } from "./schema.ts";
import { communityTransfers, type TransferRow } from "./transfer-schema.ts";
import { fetchWebDidDocument } from "./did-web.ts";
import { webDidDocument } from "./domain.ts";
import { didNotUpdated, hashToken, MAX_TRANSFER_DOWNLOADS, transferNotFound } from "./transfer-shared.ts";
import { headOn } from "../repo/read.ts";
import type { TransferCtx } from "./transfer.ts";

/** The live transfer for (did, token): pending, not expired, still the community's pending transfer. Else 404. */
async function liveTransfer(ctx: TransferCtx, did: string, token: unknown, orm = ctx.deps.db.orm): Promise<{ t: TransferRow; c: CommunityRow }> {
  if (typeof did !== "string" || typeof token !== "string" || !/^[0-9a-f]{64}$/.test(token)) throw transferNotFound();
  const t = await orm.select().from(communityTransfers)
    .where(and(eq(communityTransfers.tokenHash, hashToken(token)), eq(communityTransfers.communityDid, did), eq(communityTransfers.status, "pending"),
      gt(communityTransfers.expiresAt, new Date(ctx.now()).toISOString()))).get();
  if (!t) throw transferNotFound();
  const c = await ctx.deps.communities.getRow(did, orm);
  if (!c || c.pendingTransferId !== t.id || c.status === "migrated") throw transferNotFound();
  return { t, c };
}

async function signingDidKey(ctx: TransferCtx, did: string): Promise<string> {
  const row = await ctx.deps.db.orm.select({ ciphertext: identityKeys.ciphertext }).from(identityKeys)
    .where(and(eq(identityKeys.did, did), eq(identityKeys.purpose, "identity.signing-key"))).get();
  if (!row) throw transferNotFound();
  return (await ctx.deps.keys.decryptKeypair("identity.signing-key", did, row.ciphertext)).did();
}

export async function verifyTransfer(ctx: TransferCtx, did: string, token: unknown) {
  const { t } = await liveTransfer(ctx, did, token);
  return {
    valid: true as const, did: t.communityDid, transferId: t.id, destination: t.destination, rootCid: t.rootCid, rev: t.rev, expiresAt: t.expiresAt,
    ...(t.plcOperation ? { plcOperation: JSON.parse(t.plcOperation) as PlcOperation } : {}),
    ...(t.communityDid.startsWith("did:web:") ? {
      didDocument: webDidDocument(t.communityDid, t.destHandle, t.destSigningKey, t.destination),
      // not in 04 §8: once the owner publishes the destination's document the source's key is gone from it, so the
      // destination checks the CAR signature against the key this server (the DID's PDS until now) reports
      sourceSigningKey: await signingDidKey(ctx, t.communityDid),
    } : {}),
  };
}

/** The CAR at rootCid (the repo is frozen there). At most MAX_TRANSFER_DOWNLOADS per transfer. */
export async function getTransferRepo(ctx: TransferCtx, did: string, token: unknown): Promise<ReadableStream<Uint8Array>> {
  const t = await ctx.deps.db.transaction(async (tx) => {
    const { t } = await liveTransfer(ctx, did, token, tx.orm);
    if (t.downloads >= MAX_TRANSFER_DOWNLOADS) throw transferNotFound();
    const head = await headOn(tx.orm, did);
    // the freeze keeps the head at rootCid; anything else means the repo moved on and the package is void
    if (!head || head.cid !== t.rootCid) throw transferNotFound();
    await tx.orm.update(communityTransfers).set({ downloads: t.downloads + 1 }).where(eq(communityTransfers.id, t.id)).run();
    return t;
  }, { lockKey: did });
  const car = await ctx.deps.repo.getRepoCar(t.communityDid);
  if (!car) throw transferNotFound();
  return car;
}

/** The destination reports completion: the DID must now resolve to it (fresh), then the community is `migrated`. */
export async function confirmTransfer(ctx: TransferCtx, did: string, token: unknown): Promise<{ status: "migrated" }> {
  const { db, fetchPolicy, plc, sequencer, audit, logger } = ctx.deps;
  const { t } = await liveTransfer(ctx, did, token);
  let doc;
  try {
    doc = did.startsWith("did:web:") ? await fetchWebDidDocument(fetchPolicy, did) : await plc.getDocument(did, { fresh: true });
  } catch {
    throw upstreamFailure("DID directory unavailable; try again later");
  }
  if (!doc || pdsEndpointOf(doc)?.replace(/\/+$/, "") !== t.destination || atprotoKeyOf(doc) !== t.destSigningKey) throw didNotUpdated();
  await db.transaction(async (tx) => {
    const { c } = await liveTransfer(ctx, did, token, tx.orm);
    const at = new Date(ctx.now()).toISOString();
    await tx.orm.update(communityTransfers).set({ status: "completed", resolvedAt: at }).where(eq(communityTransfers.id, t.id)).run();
    await tx.orm.update(communities).set({
      status: "migrated", previousStatus: c.status, statusChangedAt: at, migratedTo: t.destination, pendingTransferId: null, pendingTransferExpiresAt: null,
    }).where(eq(communities.did, did)).run();
    await sequencer.accountInTx(tx, did, false, "deactivated");
    await audit.writeInTx(tx, { action: "community.transfer.complete", actorType: "anonymous", targetDid: did, targetId: t.id, meta: { destination: t.destination } });
  }, { lockKey: did });
  logger.info("community transfer completed", { did, destination: t.destination });
  return { status: "migrated" };
}
