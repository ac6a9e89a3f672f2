// community.export (spec 04 §4, 06 §2): the owner's or an admin's complete copy, JSON or CAR, in every status.
import { and, eq } from "drizzle-orm";
import type { RepoHolderRule } from "../repo/holder-exports.ts";
import type { Database } from "../db/database.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { RepoService } from "../repo/service.ts";
import { repoNotFound } from "../repo/access.ts";
import { referencedBlobCids } from "../blob/refs.ts";
import { recordsByCollection } from "../repo/export-records.ts";
import { forbidden } from "../errors.ts";
import { communities, type CommunityRow } from "./schema.ts";
import { communityStatusGate, resolveCommunity, type GateCtx } from "./gate.ts";
import type { CommunityService } from "./service.ts";

export type ExportFormat = "json" | "car";
type Caller = { did: string; roles: readonly string[] };

/** What an export uses: the gate's lookups, the repo's reads and CAR, the blob refs, audit. */
export interface ExportDeps extends GateCtx {
  db: Database;
  communities: Pick<CommunityService, "handleOf" | "memberCount">;
  repo: Pick<RepoService, "head" | "collections" | "listRecords" | "getRepoCar" | "recordCount">;
  audit: Pick<AuditLog, "writeInTx">;
}

/**
 * Owner or admin; 403 Forbidden otherwise. Export is free in every status (04 §3). `rev` is the repo head
 * before the read starts: a commit landing during the read has a later rev, so the export does not cover it.
 */
async function authorizeExport(deps: ExportDeps, identifier: string, caller: Caller): Promise<{ community: CommunityRow; byOwner: boolean; rev: string | null }> {
  const community = await resolveCommunity(deps, identifier);
  const byOwner = community.ownerDid === caller.did;
  if (!byOwner && !caller.roles.includes("admin")) throw forbidden("Only the owner or an admin can export a community");
  communityStatusGate(community, { write: true, action: "export" });
  return { community, byOwner, rev: (await deps.repo.head(community.did))?.rev ?? null };
}

/** Every record by collection (rkey ascending) and the referenced blob CIDs, as of one read. */
async function exportJson(deps: ExportDeps, c: CommunityRow, exportedBy: string, exportedAt: string) {
  const { collections, totalRecords } = await recordsByCollection(deps.repo, c.did);
  const blobs = await referencedBlobCids(deps.db.raw, c.did);
  const memberCount = await deps.communities.memberCount(c.did);
  return {
    $type: "net.openfederation.community.export",
    exportedAt,
    exportedBy,
    community: {
      did: c.did, handle: deps.communities.handleOf(c), didMethod: c.didMethod, status: c.status,
      visibility: c.visibility, createdAt: c.createdAt, ownerDid: c.ownerDid,
    },
    stats: { totalRecords, memberCount, collections: Object.keys(collections).length },
    collections,
    blobs,
  };
}

/**
 * The owner's complete download of the community repo (06 §2; also a full sync.getRepo, src/repo/holder-exports.ts):
 * sets `ownerExportedRev` and `ownerExportedAt` when `callerDid` owns `did`, conditional on the owner at this moment
 * (an ownership transfer racing the download makes it not count).
 */
export const communityOwnerExport: RepoHolderRule = async (tx, did, callerDid, rev, at) =>
  (await tx.orm.update(communities).set({ ownerExportedAt: at, ownerExportedRev: rev })
    .where(and(eq(communities.did, did), eq(communities.ownerDid, callerDid))).returning({ did: communities.did }).all()).length > 0;

/**
 * Records the export: the owner's sets `ownerExportedRev` (06 §2, the rev from authorizeExport, read before the
 * export did) and `ownerExportedAt`; an admin's does not. Audit `community.export`.
 */
async function recordExport(deps: ExportDeps, c: CommunityRow, actorDid: string, byOwner: boolean, format: ExportFormat, recordCount: number, at: string, rev: string | null) {
  await deps.db.transaction(async (tx) => {
    // conditional on the owner at commit time: an ownership transfer since authorizeExport makes it not count
    if (byOwner) await tx.orm.update(communities).set({ ownerExportedAt: at, ownerExportedRev: rev }).where(and(eq(communities.did, c.did), eq(communities.ownerDid, actorDid))).run();
    await deps.audit.writeInTx(tx, { action: "community.export", actorType: "account", actorDid, targetDid: c.did, meta: { format, recordCount, byOwner } });
  }, { lockKey: c.did });
}

export type CommunityExport = { format: "car"; car: ReadableStream<Uint8Array> } | { format: "json"; json: Awaited<ReturnType<typeof exportJson>> };

/** community.export (04 §4): authorize, read (JSON or CAR), then record the export (the owner's sets the export rule's rev). */
export class CommunityExportService {
  constructor(private readonly deps: ExportDeps) {}

  async export(identifier: string, caller: Caller, format: ExportFormat): Promise<CommunityExport> {
    const { community, byOwner, rev } = await authorizeExport(this.deps, identifier, caller);
    const at = new Date().toISOString();
    if (format === "car") {
      const car = await this.deps.repo.getRepoCar(community.did);
      if (!car) throw repoNotFound();
      await recordExport(this.deps, community, caller.did, byOwner, format, await this.deps.repo.recordCount(community.did), at, rev);
      return { format, car };
    }
    const json = await exportJson(this.deps, community, caller.did, at);
    await recordExport(this.deps, community, caller.did, byOwner, format, json.stats.totalRecords, at, rev);
    return { format, json };
  }
}
