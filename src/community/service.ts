// CommunityService: create, get, listAll, listMine, update, delete (spec 04 §1-§4). Framework-free.
import { and, count, desc, eq, inArray, lt, ne, or, sql, type SQL } from "drizzle-orm";
import { Secp256k1Keypair } from "@atproto/crypto";
import type { Config } from "../config/types.ts";
import type { Database, Orm, Tx } from "../db/database.ts";
import type { Logger } from "../util/logger.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { IdentityService } from "../identity/service.ts";
import type { KeyVault } from "../identity/keys.ts";
import type { RepoService, WriteOp } from "../repo/service.ts";
import type { Sequencer } from "../sequencer/index.ts";
import type { EventType } from "../sequencer/index.ts";
import type { AccountService } from "../account/account-service.ts";
import { accounts } from "../account/schema.ts";
import { identityKeys } from "../identity/schema.ts";
import { nameProblem, normaliseName } from "../account/rules.ts";
import { decodeCursor, encodeCursor } from "../account/cursor.ts";
import { forbidden, internalError, invalidRequest, XrpcError } from "../xrpc/errors.ts";
import { communities, communityMembers, communityRoles, joinRequests, type CommunityRow } from "./schema.ts";
import { COL, DEFAULT_ROLES, type Permission } from "./permissions.ts";
import { communityStatusGate, findCommunity, membershipOf, resolveCommunity, transferIsPending, type Membership } from "./gate.ts";
import { CommunityRepoWriter } from "./writer.ts";
import type { DidWebVerifier } from "./did-web.ts";
import { checkDomain, publishInstructions, removeInstructions, webDidDocument } from "./domain.ts";
import { communityNotFound, didTaken, handleTaken, insufficientPrivileges, invalidDomain, notMember } from "./errors.ts";

/** Who is calling: a local account (with its PDS roles) or nobody. Remote actors (04 §9) come later. */
export type Caller = { did: string; roles: readonly string[] } | undefined;

export interface CreateCommunityInput {
  handle: string;
  didMethod: "plc" | "web";
  domain?: string;
  displayName?: string;
  description?: string;
  visibility?: "public" | "private";
  joinPolicy?: "open" | "approval";
  rotationKey?: string;
}

export interface CreatedCommunity {
  did: string;
  handle: string;
  didMethod: "plc" | "web";
  status: "active";
  primaryRotationKey?: { curve: "secp256k1"; privateKeyHex: string; didKey: string };
  message?: string;
  didDocument?: Record<string, unknown>;
  instructions?: string;
}

export interface UpdateCommunityInput {
  displayName?: string;
  description?: string;
  /** a blob ref, or null to clear */
  avatar?: unknown;
  visibility?: "public" | "private";
  joinPolicy?: "open" | "approval";
}

export interface CommunityDeps {
  config: Config;
  db: Database;
  keys: KeyVault;
  identity: IdentityService;
  repo: RepoService;
  sequencer: Sequencer;
  accounts: AccountService;
  audit: AuditLog;
  logger: Logger;
}

const STAFF = ["admin", "moderator", "auditor"];
const isStaff = (c: Caller, roles = STAFF) => !!c && c.roles.some((r) => roles.includes(r));
const ROTATION_KEY_MESSAGE =
  "Save this primary rotation key now: it is shown only once. You need it to migrate or recover the community, " +
  "and the operators of this server will never ask for it.";
export const PRIVATE_WARNING =
  "The community is now private: this server stops serving its repo and asks relays to stop too, but copies " +
  "already distributed (relays, AppViews, anyone who downloaded it) cannot be recalled.";

export class CommunityService {
  /** managed writes with projections in the commit transaction (other community methods use this) */
  readonly writer: CommunityRepoWriter;

  constructor(private readonly deps: CommunityDeps, private readonly now: () => number = Date.now) {
    this.writer = new CommunityRepoWriter(deps.repo);
  }
  /** did:web identity verification (02 §10); set in buildServices */
  webVerifier?: DidWebVerifier;
  private async verifyWeb(did: string): Promise<void> {
    await this.webVerifier?.verify(did).catch((err) => this.deps.logger.warn("did:web verification failed", { did, err: String(err) }));
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
  find(identifier: string): CommunityRow | undefined {
    return findCommunity(this.gateCtx, identifier);
  }
  /** as find, 404 NotFound */
  resolve(identifier: string): CommunityRow {
    return resolveCommunity(this.gateCtx, identifier);
  }
  getRow(did: string, orm: Orm = this.deps.db.orm): CommunityRow | undefined {
    return orm.select().from(communities).where(eq(communities.did, did)).get();
  }
  membership(community: CommunityRow, did: string | undefined, orm: Orm = this.deps.db.orm): Membership | undefined {
    return did ? membershipOf(orm, community, did) : undefined;
  }
  memberCount(did: string, orm: Orm = this.deps.db.orm): number {
    return orm.select({ n: count() }).from(communityMembers).where(eq(communityMembers.communityDid, did)).get()?.n ?? 0;
  }
  /** current handle of an account DID (members/owners), `handle.invalid` when unknown */
  accountHandle(did: string): string {
    const row = this.deps.accounts.getRow(did);
    return row ? this.deps.accounts.handleOf(row) : "handle.invalid";
  }

  /** Name namespace shared with accounts (01 §4): true when an account or a community holds `name`. */
  nameTaken(orm: Orm, name: string): boolean {
    if (orm.select({ did: accounts.did }).from(accounts).where(and(eq(accounts.name, name), ne(accounts.status, "rejected"))).get()) return true;
    return !!orm.select({ did: communities.did }).from(communities).where(eq(communities.name, name)).get();
  }

  /** Firehose policy (03 §9): private → no #commit/#sync; unverified did:web → nothing; others as usual. */
  silencedInTx(orm: Orm, did: string, type: EventType): boolean {
    if (!did.startsWith("did:")) return false;
    const row = orm.select({ visibility: communities.visibility, verified: communities.identityVerified }).from(communities).where(eq(communities.did, did)).get();
    if (!row) return false;
    if (!row.verified) return true;
    return row.visibility === "private" && (type === "#commit" || type === "#sync");
  }

  /** Backfill filter (03 §9): commits of private, takendown and not-yet-active communities are not replayed. */
  hiddenFromBackfill(did: string): boolean | undefined {
    const row = this.getRow(did);
    if (!row) return undefined;
    return row.visibility === "private" || !row.identityVerified || ["takendown", "creating", "importing"].includes(row.status);
  }

  // ---- create (04 §4) -----------------------------------------------------------------------------------

  async create(input: CreateCommunityInput, caller: { did: string }): Promise<CreatedCommunity> {
    const { config, db, identity, logger } = this.deps;
    const name = normaliseName(input.handle, this.handleDomain);
    const problem = nameProblem(name, this.handleDomain);
    if (problem) throw invalidRequest(problem);
    const visibility = input.visibility ?? "public";
    const joinPolicy = input.joinPolicy ?? (visibility === "private" ? "approval" : "open");
    if (visibility === "private" && joinPolicy === "open") throw invalidRequest("A private community must use the approval join policy");
    const displayName = input.displayName ?? name;
    if ([...displayName].length < 1 || [...displayName].length > 64) throw invalidRequest("displayName must be 1-64 characters");
    const description = input.description ?? "";
    if ([...description].length > 2000) throw invalidRequest("description must be at most 2000 characters");
    const creator = this.deps.accounts.getRow(caller.did);
    if (!creator || creator.status !== "approved") throw forbidden("Only approved local accounts can create communities");
    const handle = `${name}.${this.handleDomain}`;
    const base = { name, visibility, joinPolicy, displayName, description, createdBy: caller.did };

    if (input.didMethod === "web") {
      if (input.rotationKey !== undefined) throw invalidRequest("rotationKey applies to did:plc communities only");
      if (input.domain === undefined) throw invalidRequest("domain is required for did:web");
      const checked = checkDomain(input.domain, config.hostname);
      if ("problem" in checked) throw invalidDomain(checked.problem);
      return this.createWeb(checked.domain, handle, base);
    }
    if (input.domain !== undefined) throw invalidRequest("domain applies to did:web communities only");
    if (this.nameTaken(db.orm, name)) throw handleTaken();

    const prepared = await identity.prepareIdentity({ handle, ...(input.rotationKey ? { rotationKey: input.rotationKey } : {}) });
    const did = prepared.did;
    // 1. reserve: the name and the keys, atomically (the unique index also guards the name)
    await db.transaction(async (tx) => {
      if (this.nameTaken(tx.orm, name)) throw handleTaken();
      tx.orm.insert(communities).values(this.newRow(did, "plc", null, base, "creating", true)).run();
      identity.storeKeysInTx(tx, prepared);
    });
    const compensate = () =>
      db.transaction((tx) => {
        tx.orm.delete(communities).where(and(eq(communities.did, did), eq(communities.status, "creating"))).run();
        identity.deleteKeysInTx(tx, did);
      });
    // 2. PLC genesis, no transaction open
    try {
      await identity.submitGenesis(prepared);
    } catch (err) {
      await compensate().catch((e) => logger.error("community compensation failed", { did, err: String(e) }));
      throw err;
    }
    // 3. finalize: active, genesis commit with the 7 records, projections, events (public only), audit
    try {
      await db.transaction((tx) => this.finalizeInTx(tx, did, prepared.signingKeypair, handle, base, "plc", caller.did));
    } catch (err) {
      logger.error("community finalize failed after PLC accepted the genesis; tombstoning", { did, err: err instanceof Error ? err.message : String(err) });
      try {
        await identity.tombstone(did);
        await compensate();
      } catch (e) {
        logger.error("tombstone/compensation after failed community finalize did not complete", { did, err: String(e) });
      }
      throw err instanceof XrpcError ? err : internalError();
    }
    return {
      did,
      handle,
      didMethod: "plc",
      status: "active",
      ...(prepared.primaryRotationKey ? { primaryRotationKey: prepared.primaryRotationKey, message: ROTATION_KEY_MESSAGE } : {}),
    };
  }

  private async createWeb(domain: string, handle: string, base: NewBase): Promise<CreatedCommunity> {
    const { config, db, keys } = this.deps;
    const did = `did:web:${domain}`;
    if (this.getRow(did)) throw didTaken();
    // "not a local handle of another subject" (02 §10)
    const suffix = `.${this.handleDomain}`;
    if (domain.endsWith(suffix) && this.nameTaken(db.orm, domain.slice(0, -suffix.length))) throw invalidDomain("Domain is the handle of another account or community here");
    if (db.orm.select({ did: accounts.did }).from(accounts).where(eq(accounts.externalHandle, domain)).get()) throw invalidDomain("Domain is the handle of another account here");
    if (this.nameTaken(db.orm, base.name)) throw handleTaken();
    const signing = await Secp256k1Keypair.create({ exportable: true });
    const ciphertext = keys.encrypt("identity.signing-key", did, await signing.export());
    // no PLC step: reserve and finalize are one transaction; the PK and the unique index catch races
    await db.transaction(async (tx) => {
      if (this.getRow(did, tx.orm)) throw didTaken();
      if (this.nameTaken(tx.orm, base.name)) throw handleTaken();
      tx.orm.insert(communities).values(this.newRow(did, "web", domain, base, "creating", false)).run();
      tx.orm.insert(identityKeys).values({ did, purpose: "identity.signing-key", ciphertext: Buffer.from(ciphertext), createdAt: new Date(this.now()).toISOString() }).run();
      await this.finalizeInTx(tx, did, signing, handle, base, "web", base.createdBy);
    });
    await this.verifyWeb(did);
    return {
      did,
      handle,
      didMethod: "web",
      status: "active",
      didDocument: webDidDocument(did, handle, signing.did(), config.serviceUrl),
      instructions: publishInstructions(domain, config.hostname),
    };
  }

  private newRow(did: string, didMethod: "plc" | "web", domain: string | null, b: NewBase, status: "creating", verified: boolean) {
    return {
      did, name: b.name, didMethod, domain, ownerDid: b.createdBy, createdBy: b.createdBy, createdAt: new Date(this.now()).toISOString(),
      status, visibility: b.visibility, joinPolicy: b.joinPolicy, governanceModel: "benevolent-dictator",
      displayName: b.displayName, description: b.description, identityVerified: verified,
    };
  }

  /** The 7 genesis records of 04 §2, in one commit. */
  genesisRecords(b: NewBase, didMethod: "plc" | "web", creatorHandle: string, at: string) {
    return [
      { collection: COL.settings, rkey: "self", record: { $type: COL.settings, didMethod, governanceModel: "benevolent-dictator", visibility: b.visibility, joinPolicy: b.joinPolicy } },
      { collection: COL.profile, rkey: "self", record: { $type: COL.profile, displayName: b.displayName, description: b.description, createdAt: at } },
      ...DEFAULT_ROLES.map((r) => ({ collection: COL.role, rkey: r.rkey, record: { $type: COL.role, name: r.name, description: r.description, permissions: r.permissions } })),
      { collection: COL.member, rkey: b.createdBy, record: { $type: COL.member, did: b.createdBy, handle: creatorHandle, roleRkey: "owner", joinedAt: at } },
    ];
  }

  private async finalizeInTx(tx: Tx, did: string, signingKey: Secp256k1Keypair, handle: string, b: NewBase, didMethod: "plc" | "web", actorDid: string) {
    const at = new Date(this.now()).toISOString();
    tx.orm.update(communities).set({ status: "active", statusChangedAt: at }).where(eq(communities.did, did)).run();
    const records = this.genesisRecords(b, didMethod, this.accountHandle(b.createdBy), at);
    const announce = didMethod === "plc" && b.visibility === "public";
    await this.deps.repo.createInTx(tx, { did, signingKey, records, ...(announce ? { announce: { handle } } : {}) });
    tx.orm.insert(communityMembers).values({ communityDid: did, memberDid: b.createdBy, roleRkey: "owner", joinedAt: at }).run();
    for (const r of DEFAULT_ROLES) tx.orm.insert(communityRoles).values({ communityDid: did, rkey: r.rkey, name: r.name, permissions: JSON.stringify(r.permissions) }).run();
    this.deps.audit.writeInTx(tx, { action: "community.create", actorType: "account", actorDid, targetDid: did, meta: { handle, didMethod, visibility: b.visibility } });
  }

  // ---- get (04 §4) --------------------------------------------------------------------------------------

  async get(identifier: string, caller: Caller) {
    let c = this.resolve(identifier);
    if (c.didMethod === "web" && !c.identityVerified && caller?.did === c.ownerDid) {
      await this.verifyWeb(c.did);
      c = this.resolve(c.did);
    }
    const staff = isStaff(caller);
    const me = this.membership(c, caller?.did);
    const isOwner = !!caller && caller.did === c.ownerDid;
    if (c.visibility === "private" && !me && !staff) throw communityNotFound();
    communityStatusGate(c, { write: false, bypass: isOwner || staff });
    const profile = this.deps.repo.getRecord(c.did, COL.profile, "self")?.value as { avatar?: unknown } | undefined;
    const jr = caller ? this.joinRequestStatus(c.did, caller.did) : undefined;
    return {
      did: c.did,
      handle: this.handleOf(c),
      didMethod: c.didMethod,
      displayName: c.displayName,
      description: c.description,
      ...(profile?.avatar ? { avatar: profile.avatar } : {}),
      visibility: c.visibility,
      joinPolicy: c.joinPolicy,
      governanceModel: c.governanceModel,
      memberCount: this.memberCount(c.did),
      createdAt: c.createdAt,
      status: c.status,
      ...(c.statusReason ? { statusReason: c.statusReason } : {}),
      owner: { did: c.ownerDid, handle: this.accountHandle(c.ownerDid) },
      ...(c.didMethod === "web" ? { identityVerified: c.identityVerified } : {}),
      ...(c.migratedTo ? { migratedTo: c.migratedTo } : {}),
      isOwner,
      isMember: !!me,
      ...(jr ? { joinRequestStatus: jr } : {}),
      ...(me ? { myMembership: { role: me.roleName, roleRkey: me.roleRkey, permissions: me.permissions, joinedAt: me.joinedAt } } : {}),
      ...(isOwner ? { transferPending: transferIsPending(c, this.now()) } : {}),
    };
  }

  joinRequestStatus(communityDid: string, did: string): "pending" | "approved" | "rejected" | undefined {
    return this.deps.db.orm.select({ s: joinRequests.status }).from(joinRequests).where(and(eq(joinRequests.communityDid, communityDid), eq(joinRequests.did, did))).get()?.s;
  }

  // ---- listAll / listMine (04 §4) -----------------------------------------------------------------------

  listAll(params: { limit: number; cursor?: string; q?: string; mode?: "public" | "all"; includeMine?: boolean }, caller: Caller) {
    const { db } = this.deps;
    const mode = params.mode ?? "public";
    if (mode === "all" && !isStaff(caller, ["admin", "moderator", "auditor"])) throw forbidden("mode=all is for PDS staff");
    const where: SQL[] = [sql`${communities.status} NOT IN ('creating', 'importing')`];
    if (mode === "public") {
      where.push(eq(communities.status, "active"), eq(communities.visibility, "public"));
      if (caller && !params.includeMine)
        where.push(sql`NOT EXISTS (SELECT 1 FROM community_members m WHERE m.community_did = ${communities.did} AND m.member_did = ${caller.did})`);
    }
    if (params.q) {
      const pat = `%${params.q.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
      where.push(sql`(${communities.name} LIKE ${pat} ESCAPE '\\' OR lower(${communities.displayName}) LIKE ${pat} ESCAPE '\\')`);
    }
    const filter = and(...where);
    const total = db.orm.select({ n: count() }).from(communities).where(filter).get()?.n ?? 0;
    const c = params.cursor !== undefined ? decodeCursor(params.cursor) : undefined;
    const after = c ? or(lt(communities.createdAt, c.t), and(eq(communities.createdAt, c.t), lt(communities.did, c.k))) : undefined;
    const rows = db.orm.select().from(communities).where(and(filter, after)).orderBy(desc(communities.createdAt), desc(communities.did)).limit(params.limit + 1).all();
    const shown = rows.slice(0, params.limit);
    const mine = caller && shown.length
      ? new Set(db.orm.select({ d: communityMembers.communityDid }).from(communityMembers)
          .where(and(eq(communityMembers.memberDid, caller.did), inArray(communityMembers.communityDid, shown.map((r) => r.did)))).all().map((r) => r.d))
      : new Set<string>();
    const last = shown[shown.length - 1];
    return {
      communities: shown.map((r) => {
        const jr = caller ? this.joinRequestStatus(r.did, caller.did) : undefined;
        return {
          did: r.did, handle: this.handleOf(r), didMethod: r.didMethod, displayName: r.displayName, description: r.description,
          visibility: r.visibility, joinPolicy: r.joinPolicy, memberCount: this.memberCount(r.did), createdAt: r.createdAt, status: r.status,
          isMember: mine.has(r.did), ...(jr ? { joinRequestStatus: jr } : {}),
        };
      }),
      ...(rows.length > params.limit && last ? { cursor: encodeCursor(last.createdAt, last.did) } : {}),
      total,
    };
  }

  listMine(params: { limit: number; cursor?: string }, memberDid: string) {
    const { db } = this.deps;
    const c = params.cursor !== undefined ? decodeCursor(params.cursor) : undefined;
    const after = c ? or(lt(communityMembers.joinedAt, c.t), and(eq(communityMembers.joinedAt, c.t), lt(communityMembers.communityDid, c.k))) : undefined;
    const rows = db.orm
      .select({ c: communities, m: communityMembers, roleName: communityRoles.name })
      .from(communityMembers)
      .innerJoin(communities, eq(communities.did, communityMembers.communityDid))
      .leftJoin(communityRoles, and(eq(communityRoles.communityDid, communityMembers.communityDid), eq(communityRoles.rkey, communityMembers.roleRkey)))
      .where(and(
        eq(communityMembers.memberDid, memberDid),
        sql`${communities.status} NOT IN ('creating', 'importing')`,
        // takendown communities appear only for their owner
        or(ne(communities.status, "takendown"), eq(communities.ownerDid, memberDid)),
        after,
      ))
      .orderBy(desc(communityMembers.joinedAt), desc(communityMembers.communityDid))
      .limit(params.limit + 1)
      .all();
    const shown = rows.slice(0, params.limit);
    const last = shown[shown.length - 1];
    return {
      communities: shown.map(({ c: r, m, roleName }) => ({
        did: r.did, handle: this.handleOf(r), didMethod: r.didMethod, displayName: r.displayName, description: r.description,
        createdAt: r.createdAt, status: r.status, role: roleName ?? m.roleRkey, roleRkey: m.roleRkey, joinedAt: m.joinedAt,
      })),
      ...(rows.length > params.limit && last ? { cursor: encodeCursor(last.m.joinedAt, last.m.communityDid) } : {}),
    };
  }

  // ---- update (04 §4) -----------------------------------------------------------------------------------

  async update(identifier: string, callerDid: string, input: UpdateCommunityInput): Promise<{ success: true; warning?: string }> {
    const profileFields = (["displayName", "description", "avatar"] as const).filter((k) => input[k] !== undefined);
    const settingsFields = (["visibility", "joinPolicy"] as const).filter((k) => input[k] !== undefined);
    const fields = [...profileFields, ...settingsFields];
    if (!fields.length) throw invalidRequest("Give at least one of displayName, description, avatar, visibility, joinPolicy");
    const c = this.resolve(identifier);
    communityStatusGate(c, { write: true, action: "write" });
    const me = membershipOf(this.deps.db.orm, c, callerDid);
    if (!me) throw notMember();
    const needed: Permission[] = [...(profileFields.length ? ["community.profile.write" as const] : []), ...(settingsFields.length ? ["community.settings.write" as const] : [])];
    if (!needed.every((p) => me.permissions.includes(p))) throw insufficientPrivileges();

    const settingsRec = this.deps.repo.getRecord(c.did, COL.settings, "self");
    const profileRec = this.deps.repo.getRecord(c.did, COL.profile, "self");
    if (!settingsRec || !profileRec) throw internalError();
    const settings = settingsRec.value as Record<string, unknown>;
    this.assertNotGoverned(settings, profileFields.length > 0, settingsFields.length > 0);

    if (input.displayName !== undefined && ([...input.displayName].length < 1 || [...input.displayName].length > 64)) throw invalidRequest("displayName must be 1-64 characters");
    if (input.description !== undefined && [...input.description].length > 2000) throw invalidRequest("description must be at most 2000 characters");
    const visibility = input.visibility ?? c.visibility;
    // switching to private implies approval unless the caller explicitly asks for open (which is refused)
    const joinPolicy = input.joinPolicy ?? (visibility === "private" ? "approval" : c.joinPolicy);
    if (visibility === "private" && joinPolicy === "open") throw invalidRequest("A private community must use the approval join policy");

    const ops: WriteOp[] = [];
    if (profileFields.length) {
      const next: Record<string, unknown> = { ...(profileRec.value as Record<string, unknown>) };
      if (input.displayName !== undefined) next.displayName = input.displayName;
      if (input.description !== undefined) next.description = input.description;
      if (input.avatar === null) delete next.avatar;
      else if (input.avatar !== undefined) next.avatar = input.avatar;
      ops.push({ action: "update", collection: COL.profile, rkey: "self", record: next, swapRecord: profileRec.cid });
    }
    if (settingsFields.length) ops.push({ action: "update", collection: COL.settings, rkey: "self", record: { ...settings, visibility, joinPolicy }, swapRecord: settingsRec.cid });
    const toPrivate = c.visibility === "public" && visibility === "private";
    const toPublic = c.visibility === "private" && visibility === "public";
    await this.writer.write(c.did, ops, {
      inTx: (tx) => {
        const row = this.getRow(c.did, tx.orm);
        if (!row) throw communityNotFound();
        // the status may have changed since the gate ran: re-check inside the serialised transaction
        communityStatusGate(row, { write: true, action: "write" });
        const seq = this.deps.sequencer;
        if (toPrivate && row.identityVerified && row.status !== "migrated") seq.accountInTx(tx, c.did, false, "deactivated");
        if (toPublic && row.identityVerified && (row.status === "active" || row.status === "suspended")) this.deps.repo.announceInTx(tx, c.did, this.handleOf(row));
        this.deps.audit.writeInTx(tx, { action: "community.update", actorType: "account", actorDid: callerDid, targetDid: c.did, meta: { fields } });
      },
    });
    return { success: true, ...(toPrivate ? { warning: PRIVATE_WARNING } : {}) };
  }

  /** 05 §4: under simple-majority, touched protected collections need a proposal. */
  private assertNotGoverned(settings: Record<string, unknown>, profile: boolean, settingsTouched: boolean): void {
    if (settings.governanceModel !== "simple-majority") return;
    const cfg = (settings.governanceConfig ?? {}) as { protectedCollections?: string[] };
    const listed = (cfg.protectedCollections ?? []).map((n) => (n.includes(".") ? n : `net.openfederation.community.${n}`));
    const profileProtected = listed.length === 0 || listed.includes(COL.profile);
    const target = settingsTouched ? COL.settings : profile && profileProtected ? COL.profile : undefined;
    if (target)
      throw new XrpcError(403, "GovernanceDenied", `Writes to ${target} need an approved proposal under simple-majority`, { requiresProposal: true, targetCollection: target });
  }

  // ---- delete (04 §4) -----------------------------------------------------------------------------------

  async delete(identifier: string, caller: { did: string; roles: readonly string[] }): Promise<{ success: true; instructions?: string }> {
    const { db, identity, sequencer, repo, audit } = this.deps;
    const c = this.resolve(identifier);
    const isOwner = c.ownerDid === caller.did;
    const byAdmin = !isOwner && caller.roles.includes("admin");
    if (!isOwner && !byAdmin) throw forbidden("Only the owner or an admin can delete a community");
    communityStatusGate(c, { write: true, action: "delete" });
    if (byAdmin && !this.exportRuleSatisfied(c)) {
      throw new XrpcError(409, "ExportRequired",
        "The owner has not exported the community since its latest commit. Ask the owner to export it (community.export), or suspend it and wait for the export grace period.");
    }
    await db.transaction((tx) => {
      repo.deleteInTx(tx, c.did);
      tx.orm.delete(communityMembers).where(eq(communityMembers.communityDid, c.did)).run();
      tx.orm.delete(communityRoles).where(eq(communityRoles.communityDid, c.did)).run();
      tx.orm.delete(joinRequests).where(eq(joinRequests.communityDid, c.did)).run();
      for (const hook of this.deleteHooks) hook(tx, c.did);
      // the #account event goes out while the row still exists (silencing rules read it), then the row goes
      sequencer.accountInTx(tx, c.did, false, "deleted");
      tx.orm.delete(communities).where(eq(communities.did, c.did)).run();
      // did:web holds no recovery key: drop the keys now; plc keeps them until the tombstone is accepted
      if (c.didMethod === "web") identity.deleteKeysInTx(tx, c.did);
      audit.writeInTx(tx, { action: "community.delete", actorType: "account", actorDid: caller.did, targetDid: c.did, meta: { handle: this.handleOf(c), didMethod: c.didMethod, byAdmin } });
    });
    if (c.didMethod === "plc") void this.tombstoneAndDropKeys(c.did);
    else return { success: true, instructions: removeInstructions(c.domain ?? c.did.slice("did:web:".length)) };
    return { success: true };
  }

  /**
   * Extra cleanup run inside the delete transaction (transfers, export schedules and snapshots belong to
   * other files): `communities.onDeleteInTx((tx, did) => …)`.
   */
  private readonly deleteHooks: Array<(tx: Tx, did: string) => void> = [];
  onDeleteInTx(hook: (tx: Tx, did: string) => void): void {
    this.deleteHooks.push(hook);
  }

  /** 06 §2: an owner export after the latest commit, or continuously suspended for TAKEDOWN_EXPORT_GRACE_DAYS. */
  exportRuleSatisfied(c: CommunityRow): boolean {
    // raw sql through drizzle on bun-sqlite returns positional arrays: select the column instead
    const head = this.deps.db.orm.get<[string] | undefined>(sql`SELECT updated_at FROM repo_roots WHERE did = ${c.did}`);
    if (c.ownerExportedAt && (!head || c.ownerExportedAt >= head[0])) return true;
    const graceMs = this.deps.config.takedownExportGraceDays * 86_400_000;
    return !!c.suspendedAt && ["suspended", "takendown"].includes(c.status) && this.now() - Date.parse(c.suspendedAt) >= graceMs;
  }

  private async tombstoneAndDropKeys(did: string): Promise<void> {
    try {
      await this.deps.identity.tombstone(did);
      await this.deps.db.transaction((tx) => this.deps.identity.deleteKeysInTx(tx, did));
    } catch (err) {
      this.deps.logger.error("DID tombstone after community deletion failed", { did, err: err instanceof Error ? err.message : String(err) });
    }
  }
}

interface NewBase {
  name: string;
  visibility: "public" | "private";
  joinPolicy: "open" | "approval";
  displayName: string;
  description: string;
  createdBy: string;
}

