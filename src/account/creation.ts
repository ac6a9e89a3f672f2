// The one account-creation routine (01 §5, 02 §4): validate → reserve → PLC genesis → finalize, with compensation;
// and the reconciler that cleans up after a crash between PLC genesis and finalize.
import { and, eq, lt, ne } from "drizzle-orm";
import type { Database, Tx } from "../db/database.ts";
import { internalError, invalidRequest, DomainError } from "../errors.ts";
import { accountRoles, accounts } from "./schema.ts";
import { isAcceptablePassword, isValidEmail, MSG, nameProblem, normaliseEmail, normaliseName, type PdsRole } from "./rules.ts";
import { hashPassword } from "./passwords.ts";
import type { PreparedIdentityLike, PrimaryRotationKey } from "./ports.ts";
import type { AccountDeps } from "./account-service.ts";

export type CreatedVia = "register" | "createAccount" | "migration" | "partner" | "bootstrap" | "init" | "admin";

export interface CreateAccountInput {
  handle: string;
  email: string;
  password: string;
  inviteCode?: string;
  rotationKey?: string;
  createdVia: CreatedVia;
  /** public paths follow INVITE_REQUIRED / APPROVAL_REQUIRED; operator paths (bootstrap, init) skip both */
  operator?: boolean;
  /** net.openfederation.admin.createAccount: no invite, approved at once, but reserved names stay refused (01 §4) */
  byStaff?: boolean;
  roles?: PdsRole[];
  /** bootstrap in development: a weak password is accepted with a warning */
  allowWeakPassword?: boolean;
  actor?: { type: "account" | "system" | "anonymous"; did?: string; ip?: string };
  /** partner.register (06 §7): no invite, approved at once, the row names the key; see PartnerRegistration */
  partner?: PartnerRegistration;
}

/**
 * The partner hook: `reserveInTx` runs in the reservation transaction before the row is inserted (the per-key
 * limit and the key's status are re-checked there, race-free); `finalizeInTx` in the finalize transaction.
 */
export interface PartnerRegistration {
  keyId: string;
  reserveInTx(tx: Tx): Promise<void>;
  finalizeInTx(tx: Tx, account: { did: string; handle: string }): Promise<void>;
}

export interface CreatedAccount {
  did: string;
  handle: string;
  email: string;
  status: "pending" | "approved";
  primaryRotationKey?: PrimaryRotationKey;
}

const accountExists = (what: string) => new DomainError("conflict", "AccountExists", `${what} is already taken`);
const live = ne(accounts.status, "rejected");

/** A `creating` row older than this belongs to a crashed registration (02 §4). */
export const ORPHAN_AFTER_MS = 10 * 60_000;

export class AccountCreator {
  constructor(private readonly deps: AccountDeps, private readonly now: () => number = Date.now) {}

  private get handleDomain() {
    return this.deps.config.handleDomain;
  }

  /** The single creation routine every path uses: validate → reserve → PLC genesis → finalize, with compensation. */
  async create(input: CreateAccountInput): Promise<CreatedAccount> {
    const { config, db, identity, repo, audit, invites, logger } = this.deps;
    const name = normaliseName(input.handle, this.handleDomain);
    const problem = nameProblem(name, this.handleDomain, { allowReserved: input.operator });
    if (problem) throw invalidRequest(problem);
    const email = normaliseEmail(input.email);
    if (!isValidEmail(email)) throw invalidRequest(MSG.email);
    if (!isAcceptablePassword(input.password) && !input.allowWeakPassword) throw invalidRequest(MSG.password);
    if (!input.operator && !input.partner && !input.byStaff && config.inviteRequired && !input.inviteCode) throw new DomainError("forbidden", "InviteRequired", "An invite code is required");
    await this.assertAvailable(db.orm, name, email);

    const handle = `${name}.${this.handleDomain}`;
    const status: "pending" | "approved" = input.operator || input.partner || input.byStaff || !config.approvalRequired ? "approved" : "pending";
    const roles = [...new Set<PdsRole>(["user", ...(input.roles ?? [])])];
    const passwordHash = await hashPassword(input.password);
    const prepared: PreparedIdentityLike = await identity.prepareIdentity({ handle, ...(input.rotationKey ? { rotationKey: input.rotationKey } : {}) });
    const did = prepared.did;
    const createdAt = new Date(this.now()).toISOString();

    // 1. reserve: name, email, invite use, `creating` row and encrypted keys, atomically
    const inviteCode = await db.transaction(async (tx) => {
      await this.assertAvailable(tx.orm, name, email);
      await input.partner?.reserveInTx(tx);
      const code = input.operator || input.partner || input.byStaff ? undefined : await invites.consumeInTx(tx, input.inviteCode, email, did, config.inviteRequired);
      await tx.orm.insert(accounts).values({ did, name, email, passwordHash, status: "creating", createdVia: input.createdVia, createdAt, inviteCode: code ?? null, partnerKeyId: input.partner?.keyId ?? null }).run();
      await identity.storeKeysInTx(tx, prepared);
      return code;
    }, { lockKey: did });

    const compensate = () => this.compensate(did, inviteCode);

    // 2. PLC genesis, outside any transaction
    try {
      await identity.submitGenesis(prepared);
    } catch (err) {
      await compensate().catch((e) => logger.error("registration compensation failed", { did, err: String(e) }));
      throw err;
    }

    // 3. finalize
    try {
      await db.transaction(async (tx) => {
        const at = new Date(this.now()).toISOString();
        await tx.orm.update(accounts).set({
          status,
          statusChangedAt: at,
          ...(status === "approved" ? { approvedAt: at, approvedBy: input.actor?.did ?? null } : {}),
        }).where(eq(accounts.did, did)).run();
        for (const role of roles) await tx.orm.insert(accountRoles).values({ did, role }).onConflictDoNothing().run();
        await repo.createInTx(tx, {
          did,
          signingKey: prepared.signingKeypair,
          records: [{ collection: "app.bsky.actor.profile", rkey: "self", record: { $type: "app.bsky.actor.profile", displayName: name } }],
          ...(status === "approved" ? { announce: { handle } } : {}),
        });
        await audit.writeInTx(tx, {
          action: "account.register",
          actorType: input.actor?.type ?? "anonymous",
          ...(input.actor?.did ? { actorDid: input.actor.did } : {}),
          targetDid: did,
          meta: { createdVia: input.createdVia, ...(inviteCode ? { inviteCode } : {}), ...(input.byStaff ? { roles } : {}) },
        });
        await input.partner?.finalizeInTx(tx, { did, handle });
      }, { lockKey: did });
    } catch (err) {
      logger.error("account finalize failed after PLC accepted the genesis; tombstoning", { did, err: err instanceof Error ? err.message : String(err) });
      try {
        await identity.tombstone(did);
        await compensate();
      } catch (e) {
        // The row stays `creating`; reconcileCreating() tombstones and removes it later.
        logger.error("tombstone/compensation after failed finalize did not complete", { did, err: String(e) });
      }
      throw err instanceof DomainError ? err : internalError();
    }
    return { did, handle, email, status, ...(prepared.primaryRotationKey ? { primaryRotationKey: prepared.primaryRotationKey } : {}) };
  }

  async assertAvailable(orm: Database["orm"], name: string, email: string): Promise<void> {
    // one namespace with communities (01 §4, 04 §4), owned by src/names
    if (await this.deps.names.taken(orm, name)) throw accountExists("Handle");
    if (await orm.select({ did: accounts.did }).from(accounts).where(and(eq(accounts.email, email), live)).get()) throw accountExists("Email");
  }


  /** Deletes a `creating` reservation: row, roles, keys, and gives the invite use back. */
  private async compensate(did: string, inviteCode: string | null | undefined): Promise<void> {
    const { db, identity, invites } = this.deps;
    await db.transaction(async (tx) => {
      await tx.orm.delete(accounts).where(and(eq(accounts.did, did), eq(accounts.status, "creating"))).run();
      await tx.orm.delete(accountRoles).where(eq(accountRoles.did, did)).run();
      if (inviteCode) await invites.restoreInTx(tx, inviteCode, did);
      await identity.deleteKeysInTx(tx, did);
    }, { lockKey: did });
  }

  /**
   * 02 §4: a `creating` row older than ORPHAN_AFTER_MS is a registration whose process died between the PLC
   * genesis and finalize. Tombstone the DID with the stored recovery key if the directory accepted the genesis,
   * then remove the reservation so the name, email and invite are free again. Idempotent; run every minute and
   * once at start-up. Returns how many rows it removed.
   */
  async reconcileCreating(): Promise<number> {
    const { db, identity, repo, audit, logger } = this.deps;
    const cutoff = new Date(this.now() - ORPHAN_AFTER_MS).toISOString();
    const orphans = await db.orm.select({ did: accounts.did, inviteCode: accounts.inviteCode }).from(accounts)
      .where(and(eq(accounts.status, "creating"), lt(accounts.createdAt, cutoff))).all();
    let removed = 0;
    for (const { did, inviteCode } of orphans) {
      try {
        const outcome = await identity.tombstone(did);
        await this.compensate(did, inviteCode);
        await db.transaction(async (tx) => {
          await repo.deleteInTx(tx, did);
          if (outcome === "tombstoned") await audit.writeInTx(tx, { action: "plc.orphanTombstoned", actorType: "system", targetDid: did, meta: {} });
        }, { lockKey: did });
        removed++;
      } catch (err) {
        // The directory may be down: leave the row for the next run.
        logger.warn("orphaned registration not reconciled yet", { did, err: err instanceof Error ? err.message : String(err) });
      }
    }
    return removed;
  }
}
