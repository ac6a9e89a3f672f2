// LifecycleService: deactivation/activation (T6/T7), migration in (T3), checkAccountStatus, service-auth minting,
// importRepo orchestration (01 §3, 03 §4/§8, 06 §3).
import type { NameNamespacePort } from "../../names/namespace.ts";
import { and, eq, ne } from "drizzle-orm";
import { Secp256k1Keypair } from "@atproto/crypto";
import type { Config } from "../../config/types.ts";
import type { Database, Tx } from "../../db/database.ts";
import type { Logger } from "../../util/logger.ts";
import type { AuditLog } from "../../audit/audit-log.ts";
import type { KeyVault } from "../../identity/keys.ts";
import type { PlcClient } from "../../identity/plc-client.ts";
import type { IdentityService, PreparedIdentity } from "../../identity/service.ts";
import { atprotoKeyOf, mintServiceAuth, pdsEndpointOf, SERVICE_AUTH_MAX_TTL_SEC } from "../../identity/service-auth.ts";
import type { RepoService } from "../../repo/service.ts";
import { importRepoCar } from "../../repo/import.ts";
import { headCommitInTx } from "../../repo/lifecycle.ts";
import type { Sequencer } from "../../sequencer/sequencer.ts";
import type { AccessScope, AccountStatus } from "../../caller.ts";
import { DomainError, invalidRequest, invalidToken, upstreamFailure } from "../../errors.ts";
import type { AccountService } from "../account-service.ts";
import type { InviteService } from "../invites.ts";
import type { SessionService, TokenPair } from "../sessions.ts";
import { hashPassword } from "../passwords.ts";
import { normaliseEmail } from "../rules.ts";
import { accountRoles, accounts } from "../schema.ts";
import { invalidStatus, statusError } from "../views.ts";
import { precheckCreateAccount, toCreateAccountError } from "./create-errors.ts";
import { reindexExternalKeysInTx, type ReindexResult } from "../external-keys-import.ts";
import { blobRefCounts, dropRepoBlobRefsInTx, markExpectedInTx } from "../../blob/refs.ts";
import type { PreferenceService } from "../preferences.ts";

export interface LifecycleDeps {
  config: Config;
  db: Database;
  accounts: AccountService;
  sessions: SessionService;
  invites: InviteService;
  audit: AuditLog;
  identity: IdentityService;
  keys: KeyVault;
  plc: PlcClient;
  repo: RepoService;
  sequencer: Sequencer;
  /** the handle namespace shared with communities (01 §4), built at the composition root */
  names: NameNamespacePort;
  /** checkAccountStatus.privateStateValues: the stored preferences (10 §3) */
  preferences?: Pick<PreferenceService, "count">;
  logger: Logger;
}

export const CREATE_ACCOUNT_NSID = "com.atproto.server.createAccount";
const notApproved = () => new DomainError("forbidden", "AccountNotApproved", "Account is awaiting approval by an administrator");
const notPointingHere = () => invalidRequest("DID document does not point to this server");

export class LifecycleService {
  constructor(private readonly deps: LifecycleDeps, private readonly now: () => number = Date.now) {}

  private async row(did: string) {
    const row = await this.deps.accounts.getRow(did);
    if (!row || row.status === "creating") throw invalidToken();
    return row;
  }

  // ---- T6 / T7 ----------------------------------------------------------------------------------------------

  /** T6: approved → deactivated; sessions stay (they become inactive); `#account{active:false}`. */
  async deactivate(did: string, deleteAfter?: string): Promise<void> {
    const { db, audit, sequencer } = this.deps;
    await db.transaction(async (tx) => {
      const at = new Date(this.now()).toISOString();
      // Conditional on the source status, so a concurrent moderation action cannot be overwritten.
      const row = await tx.orm.update(accounts).set({ status: "deactivated", statusChangedAt: at, statusChangedBy: did })
        .where(and(eq(accounts.did, did), eq(accounts.status, "approved"))).returning().get();
      if (!row) {
        const cur = await tx.orm.select({ status: accounts.status }).from(accounts).where(eq(accounts.did, did)).get();
        if (cur?.status === "deactivated") throw new DomainError("invalid", "AlreadyDeactivated", "Account is already deactivated");
        throw invalidStatus(cur?.status ?? "unknown");
      }
      await sequencer.accountInTx(tx, did, false, "deactivated");
      await audit.writeInTx(tx, { action: "account.deactivate", actorType: "account", actorDid: did, targetDid: did, meta: { previousStatus: "approved", ...(deleteAfter ? { deleteAfter } : {}) } });
    }, { lockKey: did });
  }

  /** T7: deactivated → approved; approved is a no-op. Migrated-in accounts need approval and a DID document pointing here. */
  async activate(did: string): Promise<void> {
    const { db, audit, sequencer, accounts: accts } = this.deps;
    const row = await this.row(did);
    if (row.status === "approved") return;
    if (row.status !== "deactivated") throw statusError(row.status as AccountStatus);
    const migratedIn = row.createdVia === "migration";
    if (migratedIn && !row.approvedAt) throw notApproved();
    if (migratedIn && !(await this.didPointsHere(did, { strict: true }))) throw notPointingHere();
    const handle = accts.handleOf(row);
    await db.transaction(async (tx) => {
      const at = new Date(this.now()).toISOString();
      const updated = await tx.orm.update(accounts).set({ status: "approved", statusChangedAt: at, statusChangedBy: did })
        .where(and(eq(accounts.did, did), eq(accounts.status, "deactivated"))).returning().get();
      if (!updated) return; // a concurrent activation won; the outcome is the same
      const head = await headCommitInTx(tx, did);
      // 01 §3 order for T7: #account, #identity, #sync.
      await sequencer.accountInTx(tx, did, true);
      await sequencer.identityInTx(tx, did, handle);
      if (head) await sequencer.syncInTx(tx, did, head);
      await audit.writeInTx(tx, { action: "account.activate", actorType: "account", actorDid: did, targetDid: did, meta: { previousStatus: "deactivated" } });
    }, { lockKey: did });
  }

  /**
   * True when the DID document's #atproto key is our signing key and its #atproto_pds endpoint is PDS_SERVICE_URL.
   * `strict`: an unreachable directory is 502 (activation must not guess); otherwise it reads as false.
   */
  async didPointsHere(did: string, opts: { strict?: boolean } = {}): Promise<boolean> {
    let doc;
    try {
      doc = await this.deps.plc.getDocument(did, { fresh: true });
    } catch {
      if (opts.strict) throw upstreamFailure("DID directory unavailable; try again later");
      return false;
    }
    if (!doc) return false;
    let ours: string;
    try {
      ours = await this.deps.identity.signingDidKey(did);
    } catch {
      return false;
    }
    return atprotoKeyOf(doc) === ours && pdsEndpointOf(doc) === this.deps.config.serviceUrl;
  }

  // ---- checkAccountStatus ------------------------------------------------------------------------------------

  async status(did: string) {
    const { repo } = this.deps;
    const row = await this.row(did);
    const head = await repo.head(did);
    const blobs = await blobRefCounts(this.deps.db.raw, did); // blob domain tables (03 §5)
    return {
      activated: row.status === "approved",
      validDid: await this.didPointsHere(did),
      repoCommit: head?.cid ?? "",
      repoRev: head?.rev ?? "",
      repoBlocks: await repo.blockCount(did),
      indexedRecords: await repo.recordCount(did),
      privateStateValues: (await this.deps.preferences?.count(did)) ?? 0,
      expectedBlobs: blobs.expected,
      importedBlobs: blobs.imported,
    };
  }

  // ---- getServiceAuth ----------------------------------------------------------------------------------------

  async serviceAuth(caller: { did: string; scope: AccessScope; status: AccountStatus }, params: { aud: string; exp?: number; lxm?: string }): Promise<string> {
    const nowSec = Math.floor(this.now() / 1000);
    const { aud, lxm } = params;
    if (caller.scope === "com.atproto.takendown" && lxm !== CREATE_ACCOUNT_NSID) throw statusError(caller.status);
    // 10 §4: only full sessions and privileged app passwords get tokens for chat and for migrating the account away
    if (caller.scope === "com.atproto.appPass" && lxm !== undefined && (lxm.startsWith("chat.bsky.") || lxm === CREATE_ACCOUNT_NSID)) {
      throw invalidRequest(`insufficient access to request a service auth token for ${lxm}`);
    }
    if (!/^did:[a-z]+:[A-Za-z0-9._:%-]+(#[A-Za-z0-9._~-]+)?$/.test(aud)) throw invalidRequest("aud must be a DID");
    if (lxm !== undefined && /^com\.atproto\.(server|identity)\./.test(lxm) && lxm !== CREATE_ACCOUNT_NSID) {
      throw invalidRequest(`Service tokens for ${lxm} are not issued`);
    }
    const exp = params.exp ?? nowSec + 60;
    const badExp = (m: string) => new DomainError("invalid", "BadExpiration", m);
    if (exp <= nowSec) throw badExp("exp must be in the future");
    if (exp > nowSec + SERVICE_AUTH_MAX_TTL_SEC) throw badExp("exp may be at most one hour ahead");
    if (lxm === undefined && exp > nowSec + 60) throw badExp("A token without lxm may live at most 60 seconds");
    const keypair = await this.deps.identity.signingKeypair(caller.did);
    return mintServiceAuth(keypair, { iss: caller.did, aud, exp, ...(lxm ? { lxm } : {}) }, nowSec);
  }

  // ---- importRepo --------------------------------------------------------------------------------------------

  async importRepo(did: string, car: Uint8Array) {
    const { plc, identity, db, repo, logger } = this.deps;
    const row = await this.row(did);
    if (row.status !== "deactivated") throw new DomainError("forbidden", "Forbidden", "Import is only possible while the account is deactivated");
    const keys: string[] = [];
    try {
      const doc = await plc.getDocument(did, { fresh: true });
      const k = doc ? atprotoKeyOf(doc) : undefined;
      if (k) keys.push(k);
    } catch {
      // directory down: only our own key can verify (a restore of our own export)
    }
    const ours = await identity.signingKeypair(did);
    keys.push(ours.did());
    const blobRefsInTx = async (tx: Tx, d: string, refs: Array<{ recordUri: string; cid: string }>, rev: string) => {
      await dropRepoBlobRefsInTx(tx, d);
      await markExpectedInTx(tx, d, refs, rev);
      // the external-key index is rebuilt in the import's own transaction: resolveByKey never sees a half-imported repo
      keyIndex = await reindexExternalKeysInTx(tx, d, this.now());
    };
    let keyIndex: ReindexResult = { indexed: 0, skipped: [] };
    const result = await importRepoCar({ db, repo, blobRefsInTx }, did, car, keys, ours);
    logger.info("repo imported", { did, recordCount: result.recordCount, commit: result.commit.cid, externalKeys: keyIndex.indexed });
    // invalid key records stay in the repo (the user's data) but are not resolvable; say which, and why
    if (keyIndex.skipped.length > 0) logger.warn("imported external keys not indexed", { did, skipped: keyIndex.skipped });
    return result;
  }

  // ---- migration in (T3) -------------------------------------------------------------------------------------

  async createMigrated(input: { did: string; handle: string; email?: string; password?: string; inviteCode?: string; ip: string }): Promise<TokenPair & { handle: string; did: string }> {
    const { config, db, plc, keys, identity, invites, repo, sessions, audit, accounts: accts } = this.deps;
    const name = precheckCreateAccount(input, { handleDomain: config.handleDomain, inviteRequired: config.inviteRequired });
    const email = normaliseEmail(input.email!);
    const did = input.did;
    let doc;
    try {
      doc = await plc.getDocument(did);
    } catch {
      throw upstreamFailure("DID directory unavailable; try again later");
    }
    if (!doc) throw new DomainError("invalid", "UnresolvableDid", `Could not resolve ${did}`);
    if (await accts.getRow(did)) throw invalidRequest("Account already exists");
    await assertAvailable(this.deps.names, db.orm, name, email);

    const passwordHash = await hashPassword(input.password!);
    const signing = await Secp256k1Keypair.create({ exportable: true });
    const recovery = await Secp256k1Keypair.create({ exportable: true });
    const prepared = {
      did,
      encryptedSigningKey: keys.encrypt("identity.signing-key", did, await signing.export()),
      encryptedRecoveryKey: keys.encrypt("identity.recovery-key", did, await recovery.export()),
    } as PreparedIdentity;
    const handle = `${name}.${config.handleDomain}`;

    const session = await db
      .transaction(async (tx) => {
        const at = new Date(this.now()).toISOString();
        if (await tx.orm.select({ did: accounts.did }).from(accounts).where(eq(accounts.did, did)).get()) throw invalidRequest("Account already exists");
        await assertAvailable(this.deps.names, tx.orm, name, email);
        const code = await invites.consumeInTx(tx, input.inviteCode, email, did, config.inviteRequired);
        await tx.orm.insert(accounts).values({
          did, name, email, passwordHash, status: "deactivated", createdVia: "migration", createdAt: at, statusChangedAt: at,
          inviteCode: code ?? null,
          // With APPROVAL_REQUIRED the account waits for account.approve before it may activate (01 §3).
          ...(config.approvalRequired ? {} : { approvedAt: at }),
        }).run();
        await tx.orm.insert(accountRoles).values({ did, role: "user" }).run();
        await identity.storeKeysInTx(tx, prepared);
        // Empty genesis signed with our new key, not announced: the repo goes public on activateAccount.
        await repo.createInTx(tx, { did, signingKey: signing });
        const s = await sessions.createInTx(tx, did, "com.atproto.access");
        await audit.writeInTx(tx, { action: "account.register", actorType: "anonymous", targetDid: did, meta: { createdVia: "migration", ...(code ? { inviteCode: code } : {}) } });
        await audit.writeInTx(tx, { action: "session.create", actorType: "account", actorDid: did, targetDid: did, meta: { sid: s.sid, restricted: false }, ip: input.ip });
        return s;
      }, { lockKey: did })
      .catch((err) => {
        throw toCreateAccountError(err);
      });
    return { accessJwt: session.accessJwt, refreshJwt: session.refreshJwt, handle, did };
  }
}

/** Same rule as the creation routine: the name free in the shared namespace, the email unique among non-rejected accounts. */
async function assertAvailable(names: NameNamespacePort, orm: Database["orm"], name: string, email: string): Promise<void> {
  const live = ne(accounts.status, "rejected");
  if (await names.taken(orm, name)) throw new DomainError("invalid", "HandleNotAvailable", "Handle already taken");
  if (await orm.select({ did: accounts.did }).from(accounts).where(and(eq(accounts.email, email), live)).get()) throw invalidRequest("Email already in use");
}
