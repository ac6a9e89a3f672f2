// net.openfederation.admin.importRepo (06 §9): restore a repo hosted here from a CAR (its records re-committed under
// our key, projections rebuilt, #identity and #sync), or hand the CAR to a prepared community import.
import { count, eq } from "drizzle-orm";
import type { Keypair } from "@atproto/crypto";
import type { Database, Tx } from "../db/database.ts";
import type { Logger } from "../util/logger.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { DidDocument, PlcClient } from "../identity/plc-client.ts";
import { atprotoKeyOf } from "../identity/service-auth.ts";
import type { Sequencer } from "../sequencer/index.ts";
import type { RepoService, WriteOp } from "../repo/service.ts";
import { importRepoCar } from "../repo/import.ts";
import { headCommitInTx } from "../repo/lifecycle.ts";
import { records } from "../repo/schema.ts";
import { dropRepoBlobRefsInTx, markExpectedInTx } from "../blob/refs.ts";
import { DomainError, invalidRequest } from "../errors.ts";
import type { AccountService } from "../account/account-service.ts";
import { reindexExternalKeysInTx } from "../account/external-keys-import.ts";
import type { CommunityService } from "../community/service.ts";
import type { CommunityImportService } from "../community/import.ts";
import { communityMembers, communityRoles } from "../community/schema.ts";
import { applyProjectionsInTx } from "../community/writer.ts";
import { verifyCommunityCar } from "../community/import-verify.ts";
import { blockCountInTx, unresolvableDid, type AttachResult } from "../community/import-attach.ts";

export const repoAlreadyExists = () =>
  new DomainError("conflict", "RepoAlreadyExists", "The repo already holds records; pass replace=true to overwrite it with the CAR");
const unknownDid = () => invalidRequest("unknown DID; prepare an import first");

export interface RepoRestoreDeps {
  db: Database;
  plc: Pick<PlcClient, "getDocument">;
  /** our signing key for a hosted DID (account or community); throws when we hold none */
  signingKeypair: (did: string) => Promise<Keypair>;
  repo: Pick<RepoService, "createInTx" | "deleteInTx">;
  sequencer: Pick<Sequencer, "identityInTx" | "syncInTx">;
  audit: Pick<AuditLog, "writeInTx">;
  accounts: Pick<AccountService, "getRow" | "handleOf">;
  communities: Pick<CommunityService, "getRow" | "handleOf">;
  imports: Pick<CommunityImportService, "attachCar">;
  logger: Logger;
  now: () => number;
}

export type ImportRepoResult = AttachResult & { state: "active" | "awaiting-identity" };

/** What a restore needs to know about the DID it overwrites. */
interface Target {
  kind: "account" | "community";
  handle: string;
  /** announce the new head (#identity, #sync): the repo is live (an approved account, an active community) */
  live: boolean;
  /** community: the owner its member records must still name */
  ownerDid?: string;
}

/** Records indexed for a DID, read in `orm` (the pre-check outside, the decisive check inside the transaction). */
async function recordCount(orm: Database["orm"], did: string): Promise<number> {
  return (await orm.select({ n: count() }).from(records).where(eq(records.did, did)).get())?.n ?? 0;
}

export class RepoRestoreService {
  constructor(private readonly deps: RepoRestoreDeps) {}

  async importRepo(actorDid: string, params: { did: string; importId?: string; replace: boolean }, car: Uint8Array): Promise<ImportRepoResult> {
    const { did } = params;
    if (params.importId !== undefined) {
      const attached = await this.deps.imports.attachCar({ importId: params.importId, did, car, actorDid });
      return { ...attached, state: "awaiting-identity" };
    }
    const target = await this.target(did);
    if (!target) throw unknownDid();
    if (!params.replace && (await recordCount(this.deps.db.orm, did)) > 0) throw repoAlreadyExists();
    let ours: Keypair;
    try {
      ours = await this.deps.signingKeypair(did);
    } catch {
      throw unknownDid(); // hosted row but no key held: nothing here can sign for it
    }
    const acceptKeys = [...(await this.documentKey(did)), ours.did()];
    const community = target.kind === "community" ? await this.verifiedCommunity(car, did, acceptKeys, target.ownerDid!) : undefined;
    return this.store(actorDid, did, car, { target, acceptKeys, ours, replace: params.replace, community });
  }

  /** A DID hosted here: an account that exists (not half-created, not rejected) or a community this server runs. */
  private async target(did: string): Promise<Target | undefined> {
    const acct = await this.deps.accounts.getRow(did);
    if (acct && acct.status !== "creating" && acct.status !== "rejected") {
      return { kind: "account", handle: this.deps.accounts.handleOf(acct), live: acct.status === "approved" };
    }
    const comm = await this.deps.communities.getRow(did);
    // importing: a prepared import takes its CAR with importId; migrated: the DID lives elsewhere now
    if (comm && ["active", "suspended", "takendown"].includes(comm.status)) {
      return { kind: "community", handle: this.deps.communities.handleOf(comm), live: comm.status === "active", ownerDid: comm.ownerDid };
    }
    return undefined;
  }

  /**
   * The DID document's #atproto key, when the directory knows the DID. A DID no directory knows (or a tombstone)
   * → UnresolvableDid; an unreachable directory leaves only our key (a restore of our own export still works).
   * did:web documents of our communities are served by us and name our key, so only ours is accepted for them.
   */
  private async documentKey(did: string): Promise<string[]> {
    if (!did.startsWith("did:plc:")) return [];
    let doc: DidDocument | null;
    try {
      doc = await this.deps.plc.getDocument(did, { fresh: true });
    } catch {
      this.deps.logger.warn("DID directory unavailable during a restore: only this server's key is accepted", { did });
      return [];
    }
    if (!doc) throw unresolvableDid(did);
    const key = atprotoKeyOf(doc);
    return key ? [key] : [];
  }

  /** A community CAR: the managed records well-formed and exactly one owner member, still the community's owner. */
  private async verifiedCommunity(car: Uint8Array, did: string, acceptKeys: string[], ownerDid: string) {
    try {
      return await verifyCommunityCar(car, { did, acceptKeys, ownerDid });
    } catch (err) {
      if (err instanceof DomainError && err.kind === "forbidden") throw invalidRequest(`The CAR's owner member record does not name the community's owner ${ownerDid}`);
      throw err;
    }
  }

  private async store(
    actorDid: string,
    did: string,
    car: Uint8Array,
    o: { target: Target; acceptKeys: string[]; ours: Keypair; replace: boolean; community?: Awaited<ReturnType<typeof verifyCommunityCar>> },
  ): Promise<ImportRepoResult> {
    const { db, repo, sequencer, audit, now } = this.deps;
    let blockCount = 0;
    let externalKeys = 0;
    const stored = await importRepoCar(
      {
        db,
        repo,
        // decisive replace check: a write that landed after the pre-check makes this a clean 409, not an overwrite
        beforeInTx: async (tx) => {
          if (!o.replace && (await recordCount(tx.orm, did)) > 0) throw repoAlreadyExists();
        },
        blobRefsInTx: async (tx, d, refs, rev) => {
          await dropRepoBlobRefsInTx(tx, d);
          await markExpectedInTx(tx, d, refs, rev);
          // accounts: the external-key index follows the records in the same transaction (resolveByKey never sees a mix)
          if (o.target.kind === "account") externalKeys = (await reindexExternalKeysInTx(tx, d, now())).indexed;
        },
        afterInTx: async (tx, commit) => {
          if (o.community) await this.rebuildCommunityInTx(tx, did, o.community.records);
          if (o.target.live) {
            const head = (await headCommitInTx(tx, did))!;
            await sequencer.identityInTx(tx, did, o.target.handle);
            await sequencer.syncInTx(tx, did, head);
          }
          blockCount = await blockCountInTx(tx, did);
          await audit.writeInTx(tx, {
            action: "admin.importRepo", actorType: "account", actorDid, targetDid: did,
            meta: { did, rootCid: commit.cid, blockCount, recordCount: await recordCount(tx.orm, did), mode: "restore" },
          });
        },
      },
      did, car, o.acceptKeys, o.ours,
    );
    this.deps.logger.info("repo restored", { did, kind: o.target.kind, records: stored.recordCount, commit: stored.commit.cid, externalKeys });
    return { did, rootCid: stored.commit.cid, rev: stored.commit.rev, blockCount, recordCount: stored.recordCount, state: "active" };
  }

  /** Members and roles (and the settings/profile mirrors) from the restored records, replacing the old projection. */
  private async rebuildCommunityInTx(tx: Tx, did: string, recs: Array<{ collection: string; rkey: string; record: Record<string, unknown> }>): Promise<void> {
    await tx.orm.delete(communityMembers).where(eq(communityMembers.communityDid, did)).run();
    await tx.orm.delete(communityRoles).where(eq(communityRoles.communityDid, did)).run();
    const ops: WriteOp[] = recs.map((r) => ({ action: "create", collection: r.collection, rkey: r.rkey, record: r.record }));
    await applyProjectionsInTx(tx, did, ops);
  }
}
