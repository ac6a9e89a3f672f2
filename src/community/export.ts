// community.export (spec 04 §4, 06 §2): the owner's or an admin's complete copy, JSON or CAR, in every status.
import { eq } from "drizzle-orm";
import type { AppContext } from "../context.ts";
import { referencedBlobCids } from "../blob/refs.ts";
import { forbidden } from "../errors.ts";
import { communities, type CommunityRow } from "./schema.ts";
import { communityStatusGate, resolveCommunity } from "./gate.ts";

export type ExportFormat = "json" | "car";
type Caller = { did: string; roles: readonly string[] };

const PAGE = 1000;

/**
 * Owner or admin; 403 Forbidden otherwise. Export is free in every status (04 §3). `rev` is the repo head
 * before the read starts: a commit landing during the read has a later rev, so the export does not cover it.
 */
export function authorizeExport(ctx: AppContext, identifier: string, caller: Caller): { community: CommunityRow; byOwner: boolean; rev: string | null } {
  const community = resolveCommunity(ctx, identifier);
  const byOwner = community.ownerDid === caller.did;
  if (!byOwner && !caller.roles.includes("admin")) throw forbidden("Only the owner or an admin can export a community");
  communityStatusGate(community, { write: true, action: "export" });
  return { community, byOwner, rev: ctx.services.repo.head(community.did)?.rev ?? null };
}

/** Every record by collection (rkey ascending) and the referenced blob CIDs, as of one read. */
export function exportJson(ctx: AppContext, c: CommunityRow, exportedBy: string, exportedAt: string) {
  const repo = ctx.services.repo;
  const collections: Record<string, Array<{ rkey: string; cid: string; record: unknown }>> = {};
  let totalRecords = 0;
  for (const nsid of repo.collections(c.did)) {
    const list: Array<{ rkey: string; cid: string; record: unknown }> = [];
    let cursor: string | undefined;
    do {
      const page = repo.listRecords(c.did, nsid, { limit: PAGE, reverse: true, ...(cursor !== undefined ? { cursor } : {}) });
      for (const r of page.records) list.push({ rkey: r.uri.slice(r.uri.lastIndexOf("/") + 1), cid: r.cid, record: r.value });
      cursor = page.cursor;
    } while (cursor !== undefined);
    collections[nsid] = list;
    totalRecords += list.length;
  }
  const blobs = referencedBlobCids(ctx.db.orm, c.did);
  return {
    $type: "net.openfederation.community.export",
    exportedAt,
    exportedBy,
    community: {
      did: c.did, handle: ctx.services.communities.handleOf(c), didMethod: c.didMethod, status: c.status,
      visibility: c.visibility, createdAt: c.createdAt, ownerDid: c.ownerDid,
    },
    stats: { totalRecords, memberCount: ctx.services.communities.memberCount(c.did), collections: Object.keys(collections).length },
    collections,
    blobs,
  };
}

/**
 * Records the export: the owner's sets `ownerExportedRev` (06 §2, the rev from authorizeExport, read before the
 * export did) and `ownerExportedAt`; an admin's does not. Audit `community.export`.
 */
export async function recordExport(ctx: AppContext, c: CommunityRow, actorDid: string, byOwner: boolean, format: ExportFormat, recordCount: number, at: string, rev: string | null) {
  await ctx.db.transaction((tx) => {
    if (byOwner) tx.orm.update(communities).set({ ownerExportedAt: at, ownerExportedRev: rev }).where(eq(communities.did, c.did)).run();
    ctx.services.audit.writeInTx(tx, { action: "community.export", actorType: "account", actorDid, targetDid: c.did, meta: { format, recordCount, byOwner } });
  });
}
