// Offline community import (04 §8, 06 §9): an admin attaches the community's CAR to a prepared import
// (admin.importRepo with importId). The CAR is verified like an online one and stored under the reserved key while
// the row stays `importing`; completeImport without a token then only checks the DID document and activates.
import { and, eq } from "drizzle-orm";
import type { Tx } from "../db/database.ts";
import type { DidDocument } from "../identity/plc-client.ts";
import { atprotoKeyOf, pdsEndpointOf } from "../identity/service-auth.ts";
import { importRepoCar } from "../repo/import.ts";
import { dropRepoBlobRefsInTx, markExpectedInTx } from "../blob/refs.ts";
import { DomainError, invalidRequest, notFound, upstreamFailure } from "../errors.ts";
import { communityImports } from "./transfer-schema.ts";
import { verifyCommunityCar } from "./import-verify.ts";
import { freshDocument, keypair, type ImportCtx } from "./import-source.ts";
import { communities as communitiesTable, communityMembers, communityRoles } from "./schema.ts";
import type { ImportRow } from "./transfer-schema.ts";
import { applyProjectionsInTx } from "./writer.ts";
import { didNotUpdated } from "./transfer.ts";
import { records } from "../repo/schema.ts";
import type { WriteOp } from "../repo/service.ts";

export const unresolvableDid = (did: string) => new DomainError("invalid", "UnresolvableDid", `Could not resolve ${did}`);

export interface AttachResult {
  did: string;
  rootCid: string;
  rev: string;
  blockCount: number;
  recordCount: number;
}

/** Blocks stored for a repo, counted in the writing transaction (the audit row and the answer agree). */
export async function blockCountInTx(tx: Tx, did: string): Promise<number> {
  return Number((await tx.raw.get<{ n: number }>("SELECT COUNT(*) AS n FROM repo_blocks WHERE did = ?", [did]))?.n ?? 0);
}

export async function attachImportCar(ctx: ImportCtx, input: { importId: string; did: string; car: Uint8Array; actorDid: string }, now: () => number): Promise<AttachResult> {
  const { db, repo, audit } = ctx.deps;
  const { importId, did, car, actorDid } = input;
  const imp = await db.orm.select().from(communityImports).where(eq(communityImports.id, importId)).get();
  if (!imp || imp.status !== "preparing" || Date.parse(imp.expiresAt) <= now()) throw notFound("Import not found");
  if (imp.communityDid !== did) throw invalidRequest("The import is for another DID");

  let doc: DidDocument | null;
  try {
    doc = await freshDocument(ctx, did);
  } catch {
    throw upstreamFailure("DID directory unavailable; try again later");
  }
  if (!doc) throw unresolvableDid(did);
  const signing = await keypair(ctx, did, "identity.signing-key");
  const docKey = atprotoKeyOf(doc);
  // the DID's current key (the source's, before the PLC operation) or, once it was submitted, the reserved one
  const acceptKeys = [...(docKey ? [docKey] : []), signing.did()];
  let checked;
  try {
    checked = await verifyCommunityCar(car, { did, acceptKeys, ownerDid: imp.createdBy });
  } catch (err) {
    // the CAR names another owner than the account that prepared the import: that account could never complete it
    if (err instanceof DomainError && err.kind === "forbidden") throw invalidRequest("The CAR's owner is not the account that prepared the import");
    throw err;
  }

  let blockCount = 0;
  const stored = await importRepoCar(
    {
      db,
      repo,
      blobRefsInTx: async (tx, d, refs, rev) => {
        await dropRepoBlobRefsInTx(tx, d);
        await markExpectedInTx(tx, d, refs, rev);
      },
      afterInTx: async (tx, commit) => {
        // conditional on the import still being open: an expiry purge or an online completion in between wins
        const open = await tx.orm.update(communityImports).set({ rootCid: checked.rootCid })
          .where(and(eq(communityImports.id, importId), eq(communityImports.status, "preparing"))).returning({ id: communityImports.id }).all();
        if (!open.length) throw notFound("Import not found");
        blockCount = await blockCountInTx(tx, did);
        await audit.writeInTx(tx, {
          action: "admin.importRepo", actorType: "account", actorDid, targetDid: did, targetId: importId,
          meta: { did, rootCid: commit.cid, blockCount, recordCount: checked.records.length, mode: "attach" },
        });
      },
    },
    did, car, acceptKeys, signing,
  );
  ctx.deps.logger.info("community import CAR attached", { did, importId, records: stored.recordCount });
  return { did, rootCid: stored.commit.cid, rev: stored.commit.rev, blockCount, recordCount: stored.recordCount };
}

/**
 * completeImport without a transfer token (04 §8 offline): the CAR was attached above and is stored, re-signed with
 * the reserved key; the owner has moved the DID here with their primary rotation key. Only the DID document is
 * checked, then the community activates exactly as an online import does (projections, status, events, audit).
 */
export async function completeOfflineImport(ctx: ImportCtx, imp: ImportRow, callerDid: string, now: () => number) {
  const { config, db, repo, audit, communities, logger } = ctx.deps;
  const did = imp.communityDid;
  if (!imp.rootCid) throw invalidRequest("No repository was attached to this import: pass the transferToken, or have an admin attach the CAR (admin.importRepo with importId)");
  const signing = await keypair(ctx, did, "identity.signing-key");
  let doc: DidDocument | null;
  try {
    doc = await freshDocument(ctx, did);
  } catch {
    throw upstreamFailure("DID directory unavailable; try again later");
  }
  const ours = new URL(config.serviceUrl).origin;
  const endpoint = doc ? pdsEndpointOf(doc) : undefined;
  if (!doc || !endpoint || new URL(endpoint).origin !== ours || atprotoKeyOf(doc) !== signing.did()) {
    throw didNotUpdated(did.startsWith("did:web:")
      ? `Publish the DID document naming this server and the import's signing key at https://${did.slice("did:web:".length)}/.well-known/did.json, then try again`
      : "The DID document does not point to this server and the import's signing key yet: submit the PLC operation with your rotation key, then try again");
  }
  const head = await repo.head(did);
  if (!head) throw invalidRequest("The attached repository is gone; attach the CAR again");
  const handle = `${imp.name}.${config.handleDomain}`;
  const stored = await db.orm.select({ collection: records.collection, rkey: records.rkey, value: records.value }).from(records).where(eq(records.did, did)).all();
  const ops: WriteOp[] = stored.map((r) => ({ action: "create", collection: r.collection, rkey: r.rkey, record: JSON.parse(r.value) as unknown }));
  await db.transaction(async (tx) => {
    // the same activation as the online path (./import.ts step 5), conditional on the import still being open
    const again = await tx.orm.select().from(communityImports).where(eq(communityImports.id, imp.id)).get();
    if (!again || again.status !== "preparing") throw notFound("Import not found");
    const at = new Date(now()).toISOString();
    await tx.orm.delete(communityMembers).where(eq(communityMembers.communityDid, did)).run();
    await tx.orm.delete(communityRoles).where(eq(communityRoles.communityDid, did)).run();
    await tx.orm.update(communitiesTable).set({ status: "active", statusChangedAt: at, ownerDid: callerDid, identityVerified: true })
      .where(and(eq(communitiesTable.did, did), eq(communitiesTable.status, "importing"))).run();
    await applyProjectionsInTx(tx, did, ops);
    await tx.orm.update(communityImports).set({ status: "completed", completedAt: at }).where(eq(communityImports.id, imp.id)).run();
    if ((await communities.getRow(did, tx.orm))?.visibility === "public") await repo.announceInTx(tx, did, handle);
    await audit.writeInTx(tx, { action: "community.import", actorType: "account", actorDid: callerDid, targetDid: did, targetId: imp.id, meta: { sourcePds: imp.sourcePds, rootCid: imp.rootCid, mode: "offline" } });
  }, { lockKey: did });
  logger.info("community imported (offline)", { did, sourcePds: imp.sourcePds, records: stored.length });
  return { did, handle, status: "active" as const, rootCid: head.cid, rev: head.rev };
}
