// The attestations projection (community_attestations, migration 15): kept by the community writer in the commit
// transaction (issue, revoke, import), dropped with the community.
import { and, eq } from "drizzle-orm";
import type { Tx } from "../db/database.ts";
import { communityAttestations } from "./attestation-schema.ts";

type Rec = Record<string, unknown>;

/** Called by applyProjectionsInTx for every attestation write; `rec` undefined for a delete (revocation). */
export async function attestationProjectionInTx(tx: Tx, did: string, rkey: string, rec: Rec | undefined): Promise<void> {
  if (!rec) {
    await tx.orm.delete(communityAttestations).where(and(eq(communityAttestations.communityDid, did), eq(communityAttestations.rkey, rkey))).run();
    return;
  }
  const expires = typeof rec.expiresAt === "string" && !Number.isNaN(Date.parse(rec.expiresAt)) ? new Date(rec.expiresAt).toISOString() : null;
  // raw SQL: drizzle's SQLite dialect writes the conflict target table-qualified, which PostgreSQL refuses
  await tx.raw.run(
    "INSERT INTO community_attestations (community_did, rkey, subject_did, type, expires_at) VALUES (?, ?, ?, ?, ?) " +
      "ON CONFLICT (community_did, rkey) DO UPDATE SET subject_did = excluded.subject_did, type = excluded.type, expires_at = excluded.expires_at",
    [did, rkey, String(rec.subjectDid), String(rec.type), expires],
  );
}

/** community.delete: the projection goes with the repo (registered with CommunityService.onDeleteInTx). */
export async function dropAttestationsInTx(tx: Tx, did: string): Promise<void> {
  await tx.orm.delete(communityAttestations).where(eq(communityAttestations.communityDid, did)).run();
}
