// Offline community import (04 §8, 06 §9): an admin attaches the community's CAR to a prepared import
// (admin.importRepo with importId). The CAR is verified like an online one and stored under the reserved key while
// the row stays `importing`; completeImport without a token then only checks the DID document and activates.
import { and, eq } from "drizzle-orm";
import type { Tx } from "../db/database.ts";
import { sqliteOf } from "../db/sqlite.ts";
import type { DidDocument } from "../identity/plc-client.ts";
import { atprotoKeyOf } from "../identity/service-auth.ts";
import { importRepoCar } from "../repo/import.ts";
import { dropRepoBlobRefsInTx, markExpectedInTx } from "../blob/refs.ts";
import { DomainError, invalidRequest, notFound, upstreamFailure } from "../errors.ts";
import { communityImports } from "./transfer-schema.ts";
import { verifyCommunityCar } from "./import-verify.ts";
import { freshDocument, keypair, type ImportCtx } from "./import-source.ts";

export const unresolvableDid = (did: string) => new DomainError("invalid", "UnresolvableDid", `Could not resolve ${did}`);

export interface AttachResult {
  did: string;
  rootCid: string;
  rev: string;
  blockCount: number;
  recordCount: number;
}

/** Blocks stored for a repo, counted in the writing transaction (the audit row and the answer agree). */
export function blockCountInTx(tx: Tx, did: string): number {
  return sqliteOf(tx.orm).query<{ n: number }, [string]>("SELECT COUNT(*) AS n FROM repo_blocks WHERE did = ?").get(did)?.n ?? 0;
}

export async function attachImportCar(ctx: ImportCtx, input: { importId: string; did: string; car: Uint8Array; actorDid: string }, now: () => number): Promise<AttachResult> {
  const { db, repo, audit } = ctx.deps;
  const { importId, did, car, actorDid } = input;
  const imp = db.orm.select().from(communityImports).where(eq(communityImports.id, importId)).get();
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
      blobRefsInTx: (tx, d, refs, rev) => {
        dropRepoBlobRefsInTx(tx, d);
        markExpectedInTx(tx, d, refs, rev);
      },
      afterInTx: (tx, commit) => {
        // conditional on the import still being open: an expiry purge or an online completion in between wins
        const open = tx.orm.update(communityImports).set({ rootCid: checked.rootCid })
          .where(and(eq(communityImports.id, importId), eq(communityImports.status, "preparing"))).returning({ id: communityImports.id }).get();
        if (!open) throw notFound("Import not found");
        blockCount = blockCountInTx(tx, did);
        audit.writeInTx(tx, {
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
