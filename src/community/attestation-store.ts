// The attestations projection (community_attestations, migration 15): kept by the community writer in the commit
// transaction (issue, revoke, import), dropped with the community.
import { and, eq } from "drizzle-orm";
import type { Tx } from "../db/database.ts";
import { communityAttestations } from "./attestation-schema.ts";

type Rec = Record<string, unknown>;

/** Called by applyProjectionsInTx for every attestation write; `rec` undefined for a delete (revocation). */
export function attestationProjectionInTx(tx: Tx, did: string, rkey: string, rec: Rec | undefined): void {
  if (!rec) {
    tx.orm.delete(communityAttestations).where(and(eq(communityAttestations.communityDid, did), eq(communityAttestations.rkey, rkey))).run();
    return;
  }
  const expires = typeof rec.expiresAt === "string" && !Number.isNaN(Date.parse(rec.expiresAt)) ? new Date(rec.expiresAt).toISOString() : null;
  const values = { subjectDid: String(rec.subjectDid), type: String(rec.type), expiresAt: expires };
  tx.orm.insert(communityAttestations).values({ communityDid: did, rkey, ...values })
    .onConflictDoUpdate({ target: [communityAttestations.communityDid, communityAttestations.rkey], set: values }).run();
}

/** community.delete: the projection goes with the repo (registered with CommunityService.onDeleteInTx). */
export function dropAttestationsInTx(tx: Tx, did: string): void {
  tx.orm.delete(communityAttestations).where(eq(communityAttestations.communityDid, did)).run();
}
