// What community repos show on the firehose (03 §9): free functions over the database, wired into the sequencer and
// the firehose at the composition root (they are built before the community service).
import { eq } from "drizzle-orm";
import type { Orm } from "../db/database.ts";
import type { EventType } from "../sequencer/index.ts";
import { communities } from "./schema.ts";

/** Live events: private → no #commit/#sync; unverified did:web → nothing; others (and non-communities) as usual. */
export async function communitySilencedInTx(orm: Orm, did: string, type: EventType): Promise<boolean> {
  if (!did.startsWith("did:")) return false;
  const row = await orm.select({ visibility: communities.visibility, verified: communities.identityVerified }).from(communities).where(eq(communities.did, did)).get();
  if (!row) return false;
  if (!row.verified) return true;
  return row.visibility === "private" && (type === "#commit" || type === "#sync");
}

/** Backfill: commits of private, takendown and not-yet-active communities are not replayed; undefined when not a community. */
export async function communityHiddenFromBackfill(orm: Orm, did: string): Promise<boolean | undefined> {
  const row = await orm.select({ visibility: communities.visibility, verified: communities.identityVerified, status: communities.status }).from(communities).where(eq(communities.did, did)).get();
  if (!row) return undefined;
  return row.visibility === "private" || !row.verified || ["takendown", "creating", "importing"].includes(row.status);
}
