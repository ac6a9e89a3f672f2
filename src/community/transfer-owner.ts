// Transfer, owner side (04 §8): start a transfer (the package with the PLC operation or did:web document) and cancel it.
import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { PlcClient, PlcOperation } from "../identity/plc-client.ts";
import { identityKeys } from "../identity/schema.ts";
import { cidForOp } from "../identity/service.ts";
import { signPlcOp } from "../identity/plc-sign.ts";
import { verifyPassword } from "../account/passwords.ts";
import { forbidden, invalidRequest, unauthorized, upstreamFailure } from "../errors.ts";
import { communities, type CommunityRow } from "./schema.ts";
import { communityStatusGate, resolveCommunity, transferIsPending } from "./gate.ts";
import { communityNotFound } from "./errors.ts";
import { communityTransfers } from "./transfer-schema.ts";
import { decodeTicket } from "./transfer-ticket.ts";
import { webTransferInstructions } from "./did-web.ts";
import { webDidDocument } from "./domain.ts";
import { hashToken, TRANSFER_TTL_MS, transferNotFound } from "./transfer-shared.ts";
import { headOn } from "../repo/read.ts";
import type { TransferCtx } from "./transfer.ts";

export interface TransferPackage {
  transferId: string;
  transferToken: string;
  expiresAt: string;
  rootCid: string;
  rev: string;
  didMethod: "plc" | "web";
  destination: string;
  plcOperation?: PlcOperation;
  didDocument?: ReturnType<typeof webDidDocument>;
  instructions?: string;
}

export async function startTransfer(ctx: TransferCtx, input: { did: string; password?: string; importTicket: string }, callerDid: string): Promise<TransferPackage> {
  const { config, db, audit, logger } = ctx.deps;
  const c = await resolveCommunity({ db, config }, input.did);
  if (c.ownerDid !== callerDid) throw forbidden("Only the owner can transfer a community");
  communityStatusGate(c, { write: true, action: "transfer", now: ctx.now() });
  const owner = await ctx.deps.accounts.getRow(callerDid);
  if (typeof input.password !== "string" || !owner || !(await verifyPassword(input.password.slice(0, 256), owner.passwordHash ?? ""))) {
    throw unauthorized("Invalid password");
  }
  const ticket = decodeTicket(input.importTicket, { allowPrivate: config.allowPrivateNetworkFetch, now: ctx.now() });
  if (ticket.endpoint === new URL(config.serviceUrl).origin) throw invalidRequest("The destination is this server");
  // did:web: no PLC operation; the owner publishes the destination's document instead (04 §8)
  const plcOperation = c.didMethod === "plc" ? await plcOperationFor(ctx, c, ticket) : null;
  const didDocument = c.didMethod === "web" ? webDidDocument(c.did, ticket.handle, ticket.signingKey, ticket.endpoint) : undefined;

  const transferId = randomBytes(16).toString("hex");
  const transferToken = randomBytes(32).toString("hex");
  const createdAt = new Date(ctx.now()).toISOString();
  const expiresAt = new Date(ctx.now() + TRANSFER_TTL_MS).toISOString();
  const head = await db.transaction(async (tx) => {
    // the status and the freeze are re-checked inside the serialised write transaction
    const fresh = await ctx.deps.communities.getRow(c.did, tx.orm);
    if (!fresh || fresh.ownerDid !== callerDid) throw communityNotFound();
    communityStatusGate(fresh, { write: true, action: "transfer", now: ctx.now() });
    const h = await headOn(tx.orm, c.did);
    if (!h) throw communityNotFound();
    // an expired or superseded pending transfer is dead: mark it so
    await tx.orm.update(communityTransfers).set({ status: "cancelled", resolvedAt: createdAt })
      .where(and(eq(communityTransfers.communityDid, c.did), eq(communityTransfers.status, "pending"))).run();
    await tx.orm.insert(communityTransfers).values({
      id: transferId, communityDid: c.did, tokenHash: hashToken(transferToken), status: "pending",
      destination: ticket.endpoint, destHandle: ticket.handle, destSigningKey: ticket.signingKey, importId: ticket.importId,
      rootCid: h.cid, rev: h.rev, plcOperation: plcOperation ? JSON.stringify(plcOperation) : null, downloads: 0,
      createdBy: callerDid, createdAt, expiresAt,
    }).run();
    await tx.orm.update(communities).set({ pendingTransferId: transferId, pendingTransferExpiresAt: expiresAt }).where(eq(communities.did, c.did)).run();
    await audit.writeInTx(tx, { action: "community.transfer.initiate", actorType: "account", actorDid: callerDid, targetDid: c.did, targetId: transferId, meta: { destination: ticket.endpoint } });
    return { cid: h.cid, rev: h.rev };
  }, { lockKey: c.did });
  logger.info("community transfer initiated", { did: c.did, destination: ticket.endpoint, transferId });
  const complete = `Call net.openfederation.community.completeImport on ${ticket.endpoint} with this transferToken before ${expiresAt}. ` +
    "Writes to the community are frozen here until then, or until you cancel the transfer.";
  return {
    transferId, transferToken, expiresAt, rootCid: head.cid, rev: head.rev, didMethod: c.didMethod, destination: ticket.endpoint,
    ...(plcOperation ? { plcOperation, instructions: complete } : {}),
    ...(didDocument ? { didDocument, instructions: `${webTransferInstructions(c.domain ?? c.did.slice("did:web:".length), ticket.endpoint)} ${complete}` } : {}),
  };
}

/** The PLC operation: built on the DID's head, signed with our recovery key, handed to the destination unsent. */
async function plcOperationFor(ctx: TransferCtx, c: CommunityRow, ticket: { recoveryKey: string; signingKey: string; handle: string; endpoint: string }): Promise<PlcOperation> {
  const { db, plc, keys } = ctx.deps;
  let last: PlcOperation | null;
  let data: Awaited<ReturnType<PlcClient["getDocumentData"]>>;
  try {
    [last, data] = await Promise.all([plc.getLastOp(c.did), plc.getDocumentData(c.did)]);
  } catch {
    throw upstreamFailure("PLC directory unavailable; try again later");
  }
  if (!last || !data || last.type !== "plc_operation") throw invalidRequest("The community's DID is not active in the directory");
  const row = await db.orm.select({ ciphertext: identityKeys.ciphertext }).from(identityKeys)
    .where(and(eq(identityKeys.did, c.did), eq(identityKeys.purpose, "identity.recovery-key"))).get();
  if (!row) throw invalidRequest("This server holds no recovery key for the community's DID");
  const recovery = await keys.decryptKeypair("identity.recovery-key", c.did, row.ciphertext);
  if (!data.rotationKeys.includes(recovery.did())) throw invalidRequest("This server's recovery key is no longer a rotation key of the DID");
  const plcOperation = (await signPlcOp(
    {
      type: "plc_operation",
      rotationKeys: [data.rotationKeys[0]!, ticket.recoveryKey].filter((k, i, a) => a.indexOf(k) === i),
      verificationMethods: { atproto: ticket.signingKey },
      alsoKnownAs: [`at://${ticket.handle}`],
      services: { atproto_pds: { type: "AtprotoPersonalDataServer", endpoint: ticket.endpoint } },
      prev: (await cidForOp(last)).toString(),
    },
    recovery,
  )) as PlcOperation;
  return plcOperation;
}

export async function cancelTransfer(ctx: TransferCtx, did: string, callerDid: string): Promise<{ success: true }> {
  const { db, config, audit } = ctx.deps;
  const c = await resolveCommunity({ db, config }, did);
  if (c.ownerDid !== callerDid) throw forbidden("Only the owner can cancel a transfer");
  await db.transaction(async (tx) => {
    const row = await ctx.deps.communities.getRow(c.did, tx.orm);
    if (!row || !row.pendingTransferId || !transferIsPending(row, ctx.now())) throw transferNotFound();
    const at = new Date(ctx.now()).toISOString();
    await tx.orm.update(communityTransfers).set({ status: "cancelled", resolvedAt: at })
      .where(and(eq(communityTransfers.id, row.pendingTransferId), eq(communityTransfers.status, "pending"))).run();
    await tx.orm.update(communities).set({ pendingTransferId: null, pendingTransferExpiresAt: null }).where(eq(communities.did, c.did)).run();
    await audit.writeInTx(tx, { action: "community.transfer.cancel", actorType: "account", actorDid: callerDid, targetDid: c.did, targetId: row.pendingTransferId });
  }, { lockKey: c.did });
  return { success: true };
}
