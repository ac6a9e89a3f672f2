// Transfer to another server, destination side (04 §8): prepareImport reserves keys and the name, completeImport
// fetches and verifies the package from the source, stores it, moves the DID here, re-signs and activates.
// Source-server calls and key helpers: ./import-source.ts. Source side: ./transfer.ts. The offline mode (a CAR
// attached by an admin, no transfer token) is in ./import-attach.ts.
import { randomBytes } from "node:crypto";
import { and, eq, lte } from "drizzle-orm";
import { Secp256k1Keypair } from "@atproto/crypto";
import type { Config } from "../config/types.ts";
import type { Database, Tx } from "../db/database.ts";
import type { Logger } from "../util/logger.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { KeyVault } from "../identity/keys.ts";
import type { DidDocument, PlcClient, PlcOperation } from "../identity/plc-client.ts";
import type { OutboundFetchPolicy } from "../identity/fetch-policy.ts";
import type { RepoService, WriteOp } from "../repo/service.ts";
import type { AccountService } from "../account/account-service.ts";
import { accounts } from "../account/schema.ts";
import { identityKeys } from "../identity/schema.ts";
import { PlcRejectedError } from "../identity/plc-client.ts";
import { atprotoKeyOf, pdsEndpointOf } from "../identity/service-auth.ts";
import { nameProblem, normaliseName } from "../account/rules.ts";
import { importRepoCar } from "../repo/import.ts";
import { dropRepoBlobRefsInTx, markExpectedInTx } from "../blob/refs.ts";
import { forbidden, invalidRequest, notFound, upstreamFailure } from "../errors.ts";
import { communities, communityMembers, communityRoles } from "./schema.ts";
import { applyProjectionsInTx } from "./writer.ts";
import { didTaken, handleTaken } from "./errors.ts";
import { communityImports } from "./transfer-schema.ts";
import { encodeTicket } from "./transfer-ticket.ts";
import { jsonOf } from "./transfer-client.ts";
import { verifyCommunityCar } from "./import-verify.ts";
import { didNotUpdated, TRANSFER_TTL_MS } from "./transfer.ts";
import type { CommunityService } from "./service.ts";
import type { NameNamespacePort } from "../names/namespace.ts";
import { callSource, confirmWithRetries, freshDocument, keypair, type ImportCtx } from "./import-source.ts";
import { checkDomain } from "./domain.ts";
import { attachImportCar, completeOfflineImport, type AttachResult } from "./import-attach.ts";

const origin = (u: string) => new URL(u).origin;

export interface ImportDeps {
  config: Config;
  db: Database;
  keys: KeyVault;
  plc: PlcClient;
  repo: RepoService;
  accounts: AccountService;
  audit: AuditLog;
  communities: CommunityService;
  /** the name namespace shared with accounts (01 §4), built at the composition root */
  names: NameNamespacePort;
  fetchPolicy: OutboundFetchPolicy;
  logger: Logger;
}

export class CommunityImportService {
  /** confirmTransfer retries still running (tests and shutdown can await them) */
  readonly pendingConfirms = new Set<Promise<void>>();

  private readonly ctx: ImportCtx;

  constructor(private readonly deps: ImportDeps, private readonly now: () => number = Date.now, retryDelaysMs = [1_000, 5_000, 30_000, 120_000, 600_000]) {
    this.ctx = { deps, retryDelaysMs, pendingConfirms: this.pendingConfirms };
  }

  private iso(ms = this.now()) {
    return new Date(ms).toISOString();
  }
  private get ourOrigin() {
    return origin(this.deps.config.serviceUrl);
  }

  // ---- prepareImport -----------------------------------------------------------------------------------

  async prepareImport(input: { did: string; handle: string; sourcePds: string }, callerDid: string) {
    const { config, db, keys, audit } = this.deps;
    const caller = await this.deps.accounts.getRow(callerDid);
    if (!caller || caller.status !== "approved") throw forbidden("Only approved local accounts can import communities");
    const did = input.did;
    // did:web (04 §8): a community domain by the same rules as at creation (02 §10); its document is fetched, not resolved
    const domain = did.startsWith("did:web:") ? checkDomain(did.slice("did:web:".length), config.hostname) : null;
    if (domain && "problem" in domain) throw invalidRequest(`did:web: ${domain.problem}`);
    if (!domain && !/^did:plc:[a-z2-7]{24}$/.test(did)) throw invalidRequest("did must be a did:plc or did:web");
    if (domain && did !== `did:web:${domain.domain}`) throw invalidRequest("did:web must be lower-case");
    const name = normaliseName(input.handle, config.handleDomain);
    const problem = nameProblem(name, config.handleDomain);
    if (problem) throw invalidRequest(problem);
    let source: string;
    try {
      const u = new URL(input.sourcePds);
      if (u.protocol !== "https:" && !(u.protocol === "http:" && config.allowPrivateNetworkFetch)) throw new Error("scheme");
      source = u.origin;
    } catch {
      throw invalidRequest("sourcePds must be an https URL");
    }
    await this.purgeExpired();
    if ((await this.deps.communities.getRow(did)) || (await db.orm.select({ did: accounts.did }).from(accounts).where(eq(accounts.did, did)).get())) throw didTaken();
    if (await this.deps.names.taken(db.orm, name)) throw handleTaken();

    let doc: DidDocument | null;
    try {
      doc = await freshDocument(this.ctx, did);
    } catch {
      throw upstreamFailure("DID directory unavailable; try again later");
    }
    if (!doc) throw invalidRequest("The DID could not be resolved");
    const endpoint = pdsEndpointOf(doc);
    if (!endpoint || origin(endpoint) !== source) throw invalidRequest("The DID document's PDS endpoint is not sourcePds");

    const signing = await Secp256k1Keypair.create({ exportable: true });
    const recovery = await Secp256k1Keypair.create({ exportable: true });
    const importId = randomBytes(16).toString("hex");
    const createdAt = this.iso();
    const expiresAt = this.iso(this.now() + TRANSFER_TTL_MS);
    const handle = `${name}.${config.handleDomain}`;
    const signingCt = Buffer.from(keys.encrypt("identity.signing-key", did, await signing.export()));
    const recoveryCt = Buffer.from(keys.encrypt("identity.recovery-key", did, await recovery.export()));
    // no lockKey: the name is taken here, under the global lock where the check cannot race
    await db.transaction(async (tx) => {
      if ((await this.deps.communities.getRow(did, tx.orm)) || (await tx.orm.select({ did: accounts.did }).from(accounts).where(eq(accounts.did, did)).get())) throw didTaken();
      if (await this.deps.names.taken(tx.orm, name)) throw handleTaken();
      await tx.orm.insert(communities).values({
        did, name, didMethod: domain ? "web" : "plc", domain: domain ? domain.domain : null, ownerDid: callerDid, createdBy: callerDid, createdAt, status: "importing",
        statusChangedAt: createdAt, visibility: "public", joinPolicy: "open", governanceModel: "benevolent-dictator",
        displayName: name, description: "", identityVerified: true,
      }).run();
      await tx.orm.insert(identityKeys).values([
        { did, purpose: "identity.signing-key", ciphertext: signingCt, createdAt },
        { did, purpose: "identity.recovery-key", ciphertext: recoveryCt, createdAt },
      ]).run();
      await tx.orm.insert(communityImports).values({ id: importId, communityDid: did, name, sourcePds: source, status: "preparing", createdBy: callerDid, createdAt, expiresAt }).run();
      await audit.writeInTx(tx, { action: "community.import.prepare", actorType: "account", actorDid: callerDid, targetDid: did, targetId: importId, meta: { sourcePds: source, handle } });
    });
    return {
      importId,
      importTicket: encodeTicket({ v: 1, importId, endpoint: this.ourOrigin, handle, signingKey: signing.did(), recoveryKey: recovery.did(), expiresAt }),
      handle,
      expiresAt,
    };
  }

  /** Imports whose 24 h passed without completion: the reserved row, keys and any stored blocks go. */
  async purgeExpired(): Promise<void> {
    const { db, repo } = this.deps;
    const stale = await db.orm.select().from(communityImports).where(and(eq(communityImports.status, "preparing"), lte(communityImports.expiresAt, this.iso()))).all();
    for (const imp of stale) {
      // one transaction per import (one repo each); conditional on the import still being open (a completion in between wins)
      await db.transaction(async (tx) => {
        const gone = await tx.orm.delete(communityImports).where(and(eq(communityImports.id, imp.id), eq(communityImports.status, "preparing")))
          .returning({ id: communityImports.id }).all();
        if (!gone.length) return;
        const row = await this.deps.communities.getRow(imp.communityDid, tx.orm);
        if (row?.status !== "importing") return;
        await repo.deleteInTx(tx, imp.communityDid);
        await dropRepoBlobRefsInTx(tx, imp.communityDid);
        await tx.orm.delete(communityMembers).where(eq(communityMembers.communityDid, imp.communityDid)).run();
        await tx.orm.delete(communityRoles).where(eq(communityRoles.communityDid, imp.communityDid)).run();
        await tx.orm.delete(communities).where(and(eq(communities.did, imp.communityDid), eq(communities.status, "importing"))).run();
        await tx.orm.delete(identityKeys).where(eq(identityKeys.did, imp.communityDid)).run();
      }, { lockKey: imp.communityDid });
    }
  }

  /** admin.importRepo with importId (06 §9): verify and store the CAR for an offline completion (./import-attach.ts) */
  attachCar(input: { importId: string; did: string; car: Uint8Array; actorDid: string }): Promise<AttachResult> {
    return attachImportCar(this.ctx, input, this.now);
  }

  // ---- completeImport (online) -------------------------------------------------------------------------

  async completeImport(input: { importId: string; transferToken?: string }, callerDid: string) {
    const { config, db, plc, repo, audit, logger } = this.deps;
    const imp = await db.orm.select().from(communityImports).where(eq(communityImports.id, input.importId)).get();
    if (!imp || imp.createdBy !== callerDid || imp.status !== "preparing" || Date.parse(imp.expiresAt) <= this.now()) throw notFound("Import not found");
    // offline (04 §8): an admin attached the CAR with admin.importRepo; only the DID document is left to check
    if (input.transferToken === undefined) return completeOfflineImport(this.ctx, imp, callerDid, this.now);
    const did = imp.communityDid;
    const body = { did, transferToken: input.transferToken };

    // 1. the source vouches for the token; the package must be for us
    const verified = jsonOf(await callSource(this.ctx, imp.sourcePds, "verifyTransfer", body, 256 * 1024));
    if (!verified || verified.valid !== true || verified.did !== did || typeof verified.rootCid !== "string" || typeof verified.destination !== "string") {
      throw upstreamFailure("The source server answered verifyTransfer with an unexpected body");
    }
    if (origin(verified.destination) !== this.ourOrigin) throw invalidRequest("The transfer names another destination");
    const isWeb = did.startsWith("did:web:");
    const plcOperation = verified.plcOperation as (PlcOperation & { verificationMethods?: Record<string, string>; rotationKeys?: string[]; services?: Record<string, { endpoint?: string }> }) | undefined;

    // 2. the CAR, verified before anything is stored (did:web: only once the published document lists us)
    const [signing, recovery] = await Promise.all([keypair(this.ctx, did, "identity.signing-key"), keypair(this.ctx, did, "identity.recovery-key")]);
    let doc: DidDocument | null = null;
    try {
      doc = await freshDocument(this.ctx, did);
    } catch {
      // directory down: only our reserved key is accepted (as importRepo does)
    }
    const pointsHere = (d: DidDocument | null) => !!d && origin(pdsEndpointOf(d) ?? "http://invalid") === this.ourOrigin && atprotoKeyOf(d) === signing.did();
    // did:web: nothing to submit; the published document must list us before anything is stored (04 §8)
    if (isWeb && !pointsHere(doc)) throw didNotUpdated(`Publish the transfer's didDocument at https://${did.slice("did:web:".length)}/.well-known/did.json, then try again`);
    const carRes = await callSource(this.ctx, imp.sourcePds, "getTransferRepo", body, config.importMaxBytes);
    const car = carRes.body;
    const docKey = doc ? atprotoKeyOf(doc) : undefined;
    // did:web: once the owner has published our document the source's key is gone from it; the source reports it
    const sourceKey = isWeb && typeof verified.sourceSigningKey === "string" && verified.sourceSigningKey.startsWith("did:key:") ? [verified.sourceSigningKey] : [];
    const acceptKeys = [...(docKey ? [docKey] : []), ...sourceKey, signing.did()];
    const checked = await verifyCommunityCar(car, { did, acceptKeys, rootCid: verified.rootCid, ownerDid: callerDid });

    if (!pointsHere(doc)) {
      if (!plcOperation || plcOperation.type !== "plc_operation") throw invalidRequest("The transfer carries no PLC operation");
      const ep = plcOperation.services?.atproto_pds?.endpoint;
      if (plcOperation.verificationMethods?.atproto !== signing.did() || !ep || origin(ep) !== this.ourOrigin || !plcOperation.rotationKeys?.includes(recovery.did())) {
        throw invalidRequest("The transfer's PLC operation does not hand the DID to this server's reserved keys");
      }
    }

    // 3. store: records unchanged under a fresh commit signed with our key (no event yet; the row is still importing)
    const blobRefsInTx = async (tx: Tx, d: string, refs: Array<{ recordUri: string; cid: string }>, rev: string) => {
      await dropRepoBlobRefsInTx(tx, d);
      await markExpectedInTx(tx, d, refs, rev);
    };
    const stored = await importRepoCar({ db, repo, blobRefsInTx }, did, car, acceptKeys, signing);

    // 4. move the DID here (unless a previous attempt already did)
    if (!pointsHere(doc)) {
      try {
        await plc.submit(did, plcOperation!);
      } catch (err) {
        if (!(err instanceof PlcRejectedError)) throw upstreamFailure("PLC directory unavailable; try again later");
        logger.warn("plc refused the transfer operation", { did, err: err.message });
      }
      let after: DidDocument | null = null;
      try {
        after = await plc.getDocument(did, { fresh: true });
      } catch {
        throw upstreamFailure("PLC directory unavailable; try again later");
      }
      if (!pointsHere(after)) throw didNotUpdated("The DID document does not point to this server yet; try again");
    }

    // 5. activate: projections from the records, status active, events unless private, audit
    const handle = `${imp.name}.${config.handleDomain}`;
    const ops: WriteOp[] = checked.records.map((r) => ({ action: "create", collection: r.collection, rkey: r.rkey, record: r.record }));
    await db.transaction(async (tx) => {
      const again = await tx.orm.select().from(communityImports).where(eq(communityImports.id, imp.id)).get();
      if (!again || again.status !== "preparing") throw notFound("Import not found");
      const at = this.iso();
      await tx.orm.delete(communityMembers).where(eq(communityMembers.communityDid, did)).run();
      await tx.orm.delete(communityRoles).where(eq(communityRoles.communityDid, did)).run();
      await tx.orm.update(communities).set({ status: "active", statusChangedAt: at, ownerDid: callerDid, identityVerified: true }).where(and(eq(communities.did, did), eq(communities.status, "importing"))).run();
      await applyProjectionsInTx(tx, did, ops);
      await tx.orm.update(communityImports).set({ status: "completed", completedAt: at, rootCid: checked.rootCid }).where(eq(communityImports.id, imp.id)).run();
      const row = await this.deps.communities.getRow(did, tx.orm);
      if (row?.visibility === "public") await repo.announceInTx(tx, did, handle);
      await audit.writeInTx(tx, { action: "community.import", actorType: "account", actorDid: callerDid, targetDid: did, targetId: imp.id, meta: { sourcePds: imp.sourcePds, rootCid: checked.rootCid, mode: "online" } });
    }, { lockKey: did });
    logger.info("community imported", { did, sourcePds: imp.sourcePds, records: stored.recordCount });

    // 6. tell the source (retried in the background until accepted or the token is gone)
    confirmWithRetries(this.ctx, imp.sourcePds, body);
    return { did, handle, status: "active" as const, rootCid: stored.commit.cid, rev: stored.commit.rev };
  }
}
