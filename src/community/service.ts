// CommunityService: the community façade (spec 04 §1-§4): lookups and policy here; create, reads, update and delete delegate.
import { count, eq } from "drizzle-orm";
import type { Config } from "../config/types.ts";
import type { Database, Orm, Tx } from "../db/database.ts";
import type { Logger } from "../util/logger.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { IdentityService } from "../identity/service.ts";
import type { KeyVault } from "../identity/keys.ts";
import type { RepoService } from "../repo/service.ts";
import type { Sequencer } from "../sequencer/index.ts";
import type { AccountService } from "../account/account-service.ts";
import type { NameNamespacePort } from "../names/namespace.ts";
import { communities, communityMembers, type CommunityRow } from "./schema.ts";
import { findCommunity, membershipOf, resolveCommunity, type Membership } from "./gate.ts";
import { CommunityRepoWriter } from "./writer.ts";
import type { DidWebVerifier } from "./did-web.ts";
import { createCommunity, genesisRecords, type CreateCommunityInput, type CreatedCommunity, type NewBase } from "./create.ts";
import { getCommunity, joinRequestStatus, listAllCommunities, listMyCommunities } from "./read.ts";
import { updateCommunity, type UpdateCommunityInput } from "./update.ts";
import { deleteCommunity, exportRuleSatisfied } from "./delete.ts";
import { reconcileCreatingCommunities } from "./reconcile.ts";
import type { TombstoneOutbox } from "../identity/tombstone-outbox.ts";

export type { CreateCommunityInput, CreatedCommunity } from "./create.ts";
export { PRIVATE_WARNING, type UpdateCommunityInput } from "./update.ts";

/** Who is calling: a local account (with its PDS roles) or nobody. Remote actors (04 §9) come later. */
export type Caller = { did: string; roles: readonly string[] } | undefined;

export interface CommunityDeps {
  config: Config;
  db: Database;
  keys: KeyVault;
  identity: IdentityService;
  repo: RepoService;
  sequencer: Sequencer;
  accounts: AccountService;
  audit: AuditLog;
  /** did:web identity verification (02 §10), built before the service at the composition root */
  webVerifier: Pick<DidWebVerifier, "verify">;
  /** the name namespace shared with accounts (01 §4, src/names), built at the composition root */
  names: NameNamespacePort;
  /** the durable PLC tombstone outbox (02 §4): a deleted did:plc community's tombstone is queued in the delete transaction */
  tombstones: Pick<TombstoneOutbox, "shouldQueue" | "queueInTx">;
  logger: Logger;
}

/** What the operations in create/read/update/delete.ts get from the service: its lookups, deps and clock. */
export interface CommunityOpsCtx {
  svc: CommunityService;
  deps: CommunityDeps;
  now: () => number;
  /** did:web identity verification; failures are logged, never thrown */
  verifyWeb: (did: string) => Promise<void>;
}

export class CommunityService {
  /** managed writes with projections in the commit transaction (other community methods use this) */
  readonly writer: CommunityRepoWriter;
  private readonly ops: CommunityOpsCtx;

  /** the server clock when this process built the service: `creating` rows older than this are orphans */
  private readonly startedAt: number;

  constructor(private readonly deps: CommunityDeps, now: () => number = Date.now) {
    this.writer = new CommunityRepoWriter(deps.repo);
    this.ops = { svc: this, deps, now, verifyWeb: (did) => this.verifyWeb(did) };
    this.startedAt = now();
  }

  /** Frees names held by `creating` rows a crash left behind (./reconcile.ts); run at start and every minute. */
  reconcileCreating(): Promise<number> {
    return reconcileCreatingCommunities(this.ops, this.startedAt);
  }
  private async verifyWeb(did: string): Promise<void> {
    await this.deps.webVerifier.verify(did).catch((err) => this.deps.logger.warn("did:web verification failed", { did, err: String(err) }));
  }

  get handleDomain() {
    return this.deps.config.handleDomain;
  }
  handleOf(row: Pick<CommunityRow, "name">): string {
    return `${row.name}.${this.handleDomain}`;
  }
  /** the gate's context (GateCtx) */
  get gateCtx() {
    return { db: this.deps.db, config: this.deps.config };
  }

  // ---- lookups ------------------------------------------------------------------------------------------

  /** by DID or handle; undefined when unknown or still creating/importing */
  find(identifier: string): Promise<CommunityRow | undefined> {
    return findCommunity(this.gateCtx, identifier);
  }
  /** as find, 404 NotFound */
  resolve(identifier: string): Promise<CommunityRow> {
    return resolveCommunity(this.gateCtx, identifier);
  }
  async getRow(did: string, orm: Orm = this.deps.db.orm): Promise<CommunityRow | undefined> {
    return await orm.select().from(communities).where(eq(communities.did, did)).get();
  }
  async membership(community: CommunityRow, did: string | undefined, orm: Orm = this.deps.db.orm): Promise<Membership | undefined> {
    return did ? await membershipOf(orm, community, did) : undefined;
  }
  async memberCount(did: string, orm: Orm = this.deps.db.orm): Promise<number> {
    return (await orm.select({ n: count() }).from(communityMembers).where(eq(communityMembers.communityDid, did)).get())?.n ?? 0;
  }
  /** current handle of an account DID (members/owners), `handle.invalid` when unknown */
  async accountHandle(did: string): Promise<string> {
    const row = await this.deps.accounts.getRow(did);
    return row ? this.deps.accounts.handleOf(row) : "handle.invalid";
  }

  // ---- create (04 §2, §4): create.ts -------------------------------------------------------------------

  create(input: CreateCommunityInput, caller: { did: string }): Promise<CreatedCommunity> {
    return createCommunity(this.ops, input, caller);
  }
  /** The 7 genesis records of 04 §2, in one commit. */
  genesisRecords(b: NewBase, didMethod: "plc" | "web", creatorHandle: string, at: string) {
    return genesisRecords(b, didMethod, creatorHandle, at);
  }

  // ---- get, listAll, listMine (04 §4): read.ts ---------------------------------------------------------

  get(identifier: string, caller: Caller) {
    return getCommunity(this.ops, identifier, caller);
  }
  joinRequestStatus(communityDid: string, did: string): Promise<"pending" | "approved" | "rejected" | undefined> {
    return joinRequestStatus(this.ops, communityDid, did);
  }
  listAll(params: { limit: number; cursor?: string; q?: string; mode?: "public" | "all"; includeMine?: boolean }, caller: Caller) {
    return listAllCommunities(this.ops, params, caller);
  }
  listMine(params: { limit: number; cursor?: string }, memberDid: string) {
    return listMyCommunities(this.ops, params, memberDid);
  }

  // ---- update (04 §4): update.ts -----------------------------------------------------------------------

  update(identifier: string, callerDid: string, input: UpdateCommunityInput): Promise<{ success: true; warning?: string }> {
    return updateCommunity(this.ops, identifier, callerDid, input);
  }

  // ---- delete (04 §4): delete.ts -----------------------------------------------------------------------

  delete(identifier: string, caller: { did: string; roles: readonly string[] }): Promise<{ success: true; instructions?: string }> {
    return deleteCommunity(this.ops, identifier, caller, this.deleteHooks);
  }

  /**
   * Extra cleanup run inside the delete transaction (transfers, export schedules and snapshots belong to
   * other files): `communities.onDeleteInTx((tx, did) => …)`.
   */
  private readonly deleteHooks: Array<(tx: Tx, did: string) => void | Promise<void>> = [];
  onDeleteInTx(hook: (tx: Tx, did: string) => void | Promise<void>): void {
    this.deleteHooks.push(hook);
  }

  /** 06 §2: an owner export after the latest commit, or continuously suspended for TAKEDOWN_EXPORT_GRACE_DAYS. */
  exportRuleSatisfied(c: CommunityRow): Promise<boolean> {
    return exportRuleSatisfied(this.ops, c);
  }
}
