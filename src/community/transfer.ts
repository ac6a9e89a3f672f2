// Transfer to another server, source side (04 §8): transfer, cancelTransfer, verifyTransfer, getTransferRepo,
// confirmTransfer. The destination side is ./import.ts. Framework-free; handlers are thin.
import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt } from "drizzle-orm";
import type { Orm } from "../db/database.ts";
import type { Config } from "../config/types.ts";
import type { Database, Tx } from "../db/database.ts";
import type { Logger } from "../util/logger.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { KeyVault } from "../identity/keys.ts";
import type { PlcClient, PlcOperation } from "../identity/plc-client.ts";
import type { RepoService } from "../repo/service.ts";
import type { Sequencer } from "../sequencer/index.ts";
import type { AccountService } from "../account/account-service.ts";
import { identityKeys } from "../identity/schema.ts";
import { cidForOp } from "../identity/service.ts";
import { signPlcOp } from "../identity/plc-sign.ts";
import { atprotoKeyOf, pdsEndpointOf } from "../identity/service-auth.ts";
import { verifyPassword } from "../account/passwords.ts";
import { forbidden, invalidRequest, unauthorized, upstreamFailure, XrpcError } from "../xrpc/errors.ts";
import { communities, type CommunityRow } from "./schema.ts";
import { sqliteOf } from "../repo/sql.ts";
import { communityStatusGate, resolveCommunity, transferIsPending, type GateCtx } from "./gate.ts";
import { communityNotFound } from "./errors.ts";
import { communityTransfers, communityImports, type TransferRow } from "./transfer-schema.ts";
import { decodeTicket } from "./transfer-ticket.ts";
import type { CommunityService } from "./service.ts";
import type { OutboundFetchPolicy } from "../identity/fetch-policy.ts";
import { fetchWebDidDocument, webTransferInstructions } from "./did-web.ts";
import { webDidDocument } from "./domain.ts";

export const TRANSFER_TTL_MS = 24 * 3_600_000;
export const MAX_TRANSFER_DOWNLOADS = 5;

export const transferNotFound = () => new XrpcError(404, "TransferNotFound", "Transfer not found");
export const didNotUpdated = (message = "The DID document does not point to the destination yet; try again shortly") =>
  new XrpcError(409, "DidNotUpdated", message);

export const hashToken = (token: string) => createHash("sha256").update(token, "utf8").digest("hex");

export interface TransferDeps {
  config: Config;
  db: Database;
  keys: KeyVault;
  plc: PlcClient;
  repo: RepoService;
  sequencer: Sequencer;
  accounts: AccountService;
  audit: AuditLog;
  communities: CommunityService;
  /** did:web: the published document is fetched under the policy (02 §7) */
  fetchPolicy: OutboundFetchPolicy;
  logger: Logger;
}

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

export class CommunityTransferService {
  constructor(private readonly deps: TransferDeps, private readonly now: () => number = Date.now) {
    // transfers and imports of a deleted community go with it
    deps.communities.onDeleteInTx((tx, did) => {
      tx.orm.delete(communityTransfers).where(eq(communityTransfers.communityDid, did)).run();
      tx.orm.delete(communityImports).where(eq(communityImports.communityDid, did)).run();
    });
  }

  private get gateCtx(): GateCtx {
    return { db: this.deps.db, config: this.deps.config };
  }
  private iso(ms = this.now()) {
    return new Date(ms).toISOString();
  }

  // ---- transfer ----------------------------------------------------------------------------------------

  async transfer(input: { did: string; password?: string; importTicket: string }, callerDid: string): Promise<TransferPackage> {
    const { config, db, plc, keys, audit, logger } = this.deps;
    const c = resolveCommunity(this.gateCtx, input.did);
    if (c.ownerDid !== callerDid) throw forbidden("Only the owner can transfer a community");
    communityStatusGate(c, { write: true, action: "transfer", now: this.now() });
    const owner = this.deps.accounts.getRow(callerDid);
    if (typeof input.password !== "string" || !owner || !(await verifyPassword(input.password.slice(0, 256), owner.passwordHash ?? ""))) {
      throw unauthorized("Invalid password");
    }
    const ticket = decodeTicket(input.importTicket, { allowPrivate: config.allowPrivateNetworkFetch, now: this.now() });
    if (ticket.endpoint === new URL(config.serviceUrl).origin) throw invalidRequest("The destination is this server");
    // did:web: no PLC operation; the owner publishes the destination's document instead (04 §8)
    const plcOperation = c.didMethod === "plc" ? await this.plcOperationFor(c, ticket) : null;
    const didDocument = c.didMethod === "web" ? webDidDocument(c.did, ticket.handle, ticket.signingKey, ticket.endpoint) : undefined;

    const transferId = randomBytes(16).toString("hex");
    const transferToken = randomBytes(32).toString("hex");
    const createdAt = this.iso();
    const expiresAt = this.iso(this.now() + TRANSFER_TTL_MS);
    const head = await db.transaction((tx) => {
      // the status and the freeze are re-checked inside the serialised write transaction
      const fresh = this.deps.communities.getRow(c.did, tx.orm);
      if (!fresh || fresh.ownerDid !== callerDid) throw communityNotFound();
      communityStatusGate(fresh, { write: true, action: "transfer", now: this.now() });
      const h = headOf(tx.orm, c.did);
      if (!h) throw communityNotFound();
      // an expired or superseded pending transfer is dead: mark it so
      tx.orm.update(communityTransfers).set({ status: "cancelled", resolvedAt: createdAt })
        .where(and(eq(communityTransfers.communityDid, c.did), eq(communityTransfers.status, "pending"))).run();
      tx.orm.insert(communityTransfers).values({
        id: transferId, communityDid: c.did, tokenHash: hashToken(transferToken), status: "pending",
        destination: ticket.endpoint, destHandle: ticket.handle, destSigningKey: ticket.signingKey, importId: ticket.importId,
        rootCid: h.commit_cid, rev: h.rev, plcOperation: plcOperation ? JSON.stringify(plcOperation) : null, downloads: 0,
        createdBy: callerDid, createdAt, expiresAt,
      }).run();
      tx.orm.update(communities).set({ pendingTransferId: transferId, pendingTransferExpiresAt: expiresAt }).where(eq(communities.did, c.did)).run();
      audit.writeInTx(tx, { action: "community.transfer.initiate", actorType: "account", actorDid: callerDid, targetDid: c.did, targetId: transferId, meta: { destination: ticket.endpoint } });
      return { cid: h.commit_cid, rev: h.rev };
    });
    logger.info("community transfer initiated", { did: c.did, destination: ticket.endpoint, transferId });
    const complete = `Call net.openfederation.community.completeImport on ${ticket.endpoint} with this transferToken before ${expiresAt}. ` +
      "Writes to the community are frozen here until then, or until you cancel the transfer.";
    return {
      transferId, transferToken, expiresAt, rootCid: head.cid, rev: head.rev, didMethod: c.didMethod, destination: ticket.endpoint,
      ...(plcOperation ? { plcOperation, instructions: complete } : {}),
      ...(didDocument ? { didDocument, instructions: `${webTransferInstructions(c.domain ?? c.did.slice("did:web:".length), ticket.endpoint)} ${complete}` } : {}),
    };
  }

  private async signingDidKey(did: string): Promise<string> {
    const row = this.deps.db.orm.select({ ciphertext: identityKeys.ciphertext }).from(identityKeys)
      .where(and(eq(identityKeys.did, did), eq(identityKeys.purpose, "identity.signing-key"))).get();
    if (!row) throw transferNotFound();
    return (await this.deps.keys.decryptKeypair("identity.signing-key", did, row.ciphertext)).did();
  }

  /** The PLC operation: built on the DID's head, signed with our recovery key, handed to the destination unsent. */
  private async plcOperationFor(c: CommunityRow, ticket: { recoveryKey: string; signingKey: string; handle: string; endpoint: string }): Promise<PlcOperation> {
    const { db, plc, keys } = this.deps;
    // the PLC operation: built on the DID's head, signed with our recovery key, handed to the destination unsent
    let last: PlcOperation | null;
    let data: Awaited<ReturnType<PlcClient["getDocumentData"]>>;
    try {
      [last, data] = await Promise.all([plc.getLastOp(c.did), plc.getDocumentData(c.did)]);
    } catch {
      throw upstreamFailure("PLC directory unavailable; try again later");
    }
    if (!last || !data || last.type !== "plc_operation") throw invalidRequest("The community's DID is not active in the directory");
    const row = db.orm.select({ ciphertext: identityKeys.ciphertext }).from(identityKeys)
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

  // ---- cancelTransfer ----------------------------------------------------------------------------------

  async cancelTransfer(did: string, callerDid: string): Promise<{ success: true }> {
    const c = resolveCommunity(this.gateCtx, did);
    if (c.ownerDid !== callerDid) throw forbidden("Only the owner can cancel a transfer");
    await this.deps.db.transaction((tx) => {
      const row = this.deps.communities.getRow(c.did, tx.orm);
      if (!row || !row.pendingTransferId || !transferIsPending(row, this.now())) throw transferNotFound();
      const at = this.iso();
      tx.orm.update(communityTransfers).set({ status: "cancelled", resolvedAt: at })
        .where(and(eq(communityTransfers.id, row.pendingTransferId), eq(communityTransfers.status, "pending"))).run();
      tx.orm.update(communities).set({ pendingTransferId: null, pendingTransferExpiresAt: null }).where(eq(communities.did, c.did)).run();
      this.deps.audit.writeInTx(tx, { action: "community.transfer.cancel", actorType: "account", actorDid: callerDid, targetDid: c.did, targetId: row.pendingTransferId });
    });
    return { success: true };
  }

  // ---- token-authenticated calls from the destination -----------------------------------------------------

  /** The live transfer for (did, token): pending, not expired, still the community's pending transfer. Else 404. */
  private liveTransfer(did: string, token: unknown, orm = this.deps.db.orm): { t: TransferRow; c: CommunityRow } {
    if (typeof did !== "string" || typeof token !== "string" || !/^[0-9a-f]{64}$/.test(token)) throw transferNotFound();
    const t = orm.select().from(communityTransfers)
      .where(and(eq(communityTransfers.tokenHash, hashToken(token)), eq(communityTransfers.communityDid, did), eq(communityTransfers.status, "pending"),
        gt(communityTransfers.expiresAt, this.iso()))).get();
    if (!t) throw transferNotFound();
    const c = this.deps.communities.getRow(did, orm);
    if (!c || c.pendingTransferId !== t.id || c.status === "migrated") throw transferNotFound();
    return { t, c };
  }

  async verifyTransfer(did: string, token: unknown) {
    const { t } = this.liveTransfer(did, token);
    return {
      valid: true as const, did: t.communityDid, transferId: t.id, destination: t.destination, rootCid: t.rootCid, rev: t.rev, expiresAt: t.expiresAt,
      ...(t.plcOperation ? { plcOperation: JSON.parse(t.plcOperation) as PlcOperation } : {}),
      ...(t.communityDid.startsWith("did:web:") ? {
        didDocument: webDidDocument(t.communityDid, t.destHandle, t.destSigningKey, t.destination),
        // not in 04 §8: once the owner publishes the destination's document the source's key is gone from it, so the
        // destination checks the CAR signature against the key this server (the DID's PDS until now) reports
        sourceSigningKey: await this.signingDidKey(t.communityDid),
      } : {}),
    };
  }

  /** The CAR at rootCid (the repo is frozen there). At most MAX_TRANSFER_DOWNLOADS per transfer. */
  async getTransferRepo(did: string, token: unknown): Promise<ReadableStream<Uint8Array>> {
    const t = await this.deps.db.transaction((tx) => {
      const { t } = this.liveTransfer(did, token, tx.orm);
      if (t.downloads >= MAX_TRANSFER_DOWNLOADS) throw transferNotFound();
      const head = headOf(tx.orm, did);
      // the freeze keeps the head at rootCid; anything else means the repo moved on and the package is void
      if (!head || head.commit_cid !== t.rootCid) throw transferNotFound();
      tx.orm.update(communityTransfers).set({ downloads: t.downloads + 1 }).where(eq(communityTransfers.id, t.id)).run();
      return t;
    });
    const car = this.deps.repo.getRepoCar(t.communityDid);
    if (!car) throw transferNotFound();
    return car;
  }

  /** The destination reports completion: the DID must now resolve to it (fresh), then the community is `migrated`. */
  async confirmTransfer(did: string, token: unknown): Promise<{ status: "migrated" }> {
    const { t } = this.liveTransfer(did, token);
    let doc;
    try {
      doc = did.startsWith("did:web:") ? await fetchWebDidDocument(this.deps.fetchPolicy, did) : await this.deps.plc.getDocument(did, { fresh: true });
    } catch {
      throw upstreamFailure("DID directory unavailable; try again later");
    }
    if (!doc || pdsEndpointOf(doc)?.replace(/\/+$/, "") !== t.destination || atprotoKeyOf(doc) !== t.destSigningKey) throw didNotUpdated();
    await this.deps.db.transaction((tx) => {
      const { c } = this.liveTransfer(did, token, tx.orm);
      const at = this.iso();
      tx.orm.update(communityTransfers).set({ status: "completed", resolvedAt: at }).where(eq(communityTransfers.id, t.id)).run();
      tx.orm.update(communities).set({
        status: "migrated", previousStatus: c.status, statusChangedAt: at, migratedTo: t.destination, pendingTransferId: null, pendingTransferExpiresAt: null,
      }).where(eq(communities.did, did)).run();
      this.deps.sequencer.accountInTx(tx, did, false, "deactivated");
      this.deps.audit.writeInTx(tx, { action: "community.transfer.complete", actorType: "anonymous", targetDid: did, targetId: t.id, meta: { destination: t.destination } });
    });
    this.deps.logger.info("community transfer completed", { did, destination: t.destination });
    return { status: "migrated" };
  }
}

/** The repo head read on the given connection (inside a write transaction: the serialised, current one). */
function headOf(orm: Orm, did: string): { commit_cid: string; rev: string } | undefined {
  return sqliteOf(orm).query<{ commit_cid: string; rev: string }, [string]>("SELECT commit_cid, rev FROM repo_roots WHERE did = ?").get(did) ?? undefined;
}
