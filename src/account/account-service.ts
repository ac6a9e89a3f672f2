// AccountService: accounts after creation (approval/rejection, roles, listings, lookups); creation is in creation.ts.
import { signupQueueOf, type SignupQueueView } from "./signup-queue.ts";
import type { NameNamespacePort } from "../names/namespace.ts";
import { and, asc, count, desc, eq, gt, inArray, isNull, lt, ne, or, sql, type SQL } from "drizzle-orm";
import type { Config, Secrets } from "../config/types.ts";
import type { Database, Tx } from "../db/database.ts";
import type { Logger } from "../util/logger.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { AccountStatus } from "../caller.ts";
import { forbidden, invalidRequest, notFound, DomainError } from "../errors.ts";
import { accountRoles, accounts } from "./schema.ts";
import { isPdsRole, normaliseName } from "./rules.ts";
import type { IdentityPort, RepoPort } from "./ports.ts";
import type { TombstoneOutbox } from "../identity/tombstone-outbox.ts";
import { purgeRepoAndIdentityInTx } from "./purge.ts";
import type { InviteService } from "./invites.ts";
import type { SessionService } from "./sessions.ts";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import { fullHandle, type AccountRow } from "./views.ts";

export type { CreatedVia, CreateAccountInput, CreatedAccount } from "./creation.ts";
import { AccountCreator, type CreateAccountInput, type CreatedAccount } from "./creation.ts";

export interface AccountDeps {
  config: Config;
  secrets: Secrets;
  db: Database;
  identity: IdentityPort;
  repo: RepoPort;
  audit: AuditLog;
  invites: InviteService;
  sessions: SessionService;
  /** the handle namespace shared with communities, built at the composition root */
  names: NameNamespacePort;
  /** the durable PLC tombstone outbox (02 §4): a rejection queues the DID's tombstone in its own transaction */
  tombstones: Pick<TombstoneOutbox, "queueInTx">;
  logger: Logger;
}

export type TargetSelector = { did?: string; handle?: string; email?: string };
const alreadyResolved = () => new DomainError("invalid", "AlreadyResolved", "Account is not awaiting approval");
/** pending, or migrated in and awaiting approval (01 §3) */
const awaitingApproval = or(eq(accounts.status, "pending"), and(eq(accounts.status, "deactivated"), eq(accounts.createdVia, "migration"), isNull(accounts.approvedAt)))!;
const live = ne(accounts.status, "rejected");

export class AccountService {
  private readonly creator: AccountCreator;

  constructor(private readonly deps: AccountDeps, private readonly now: () => number = Date.now) {
    this.creator = new AccountCreator(deps, now);
  }

  private get handleDomain() {
    return this.deps.config.handleDomain;
  }

  handleOf(row: Pick<AccountRow, "name" | "externalHandle">): string {
    return fullHandle(row, this.handleDomain);
  }

  // ---- creation (src/account/creation.ts) ---------------------------------------------------------------

  /** The single creation routine every path uses: validate → reserve → PLC genesis → finalize, with compensation. */
  create(input: CreateAccountInput): Promise<CreatedAccount> {
    return this.creator.create(input);
  }

  /** Removes orphaned `creating` rows (a crash between PLC genesis and finalize); see creation.ts. */
  reconcileCreating(): Promise<number> {
    return this.creator.reconcileCreating();
  }

  // ---- lookups --------------------------------------------------------------------------------------------

  /** com.atproto.temp.checkSignupQueue (10 §6) for the caller */
  signupQueue(did: string): Promise<SignupQueueView> {
    return signupQueueOf(this.deps.db.orm, did, this.now());
  }

  async getRow(did: string): Promise<AccountRow | undefined> {
    return await this.deps.db.orm.select().from(accounts).where(eq(accounts.did, did)).get();
  }

  async rolesOf(did: string): Promise<string[]> {
    return (await this.deps.db.orm.select({ role: accountRoles.role }).from(accountRoles).where(eq(accountRoles.did, did)).all()).map((r) => r.role).sort();
  }

  /** Accounts matching a DID, name, full local handle or external handle (never `creating`). Non-rejected rows win. */
  async lookupRow(identifier: string): Promise<AccountRow | undefined> {
    const v = identifier.trim().toLowerCase();
    let where: SQL;
    if (v.startsWith("did:")) where = eq(accounts.did, identifier.trim());
    else if (v.includes("@")) where = eq(accounts.email, v);
    else {
      const name = normaliseName(v, this.handleDomain);
      where = name.includes(".") ? eq(accounts.externalHandle, v) : eq(accounts.name, name);
    }
    const rows = await this.deps.db.orm.select().from(accounts).where(and(where, ne(accounts.status, "creating"))).all();
    return rows.find((r) => r.status !== "rejected") ?? rows[0];
  }

  async lookup(identifier: string): Promise<{ did: string; handle: string; status: AccountStatus } | undefined> {
    const row = await this.lookupRow(identifier);
    return row ? { did: row.did, handle: this.handleOf(row), status: row.status as AccountStatus } : undefined;
  }

  private async resolveTarget(sel: TargetSelector): Promise<AccountRow> {
    const given = [sel.did, sel.handle, sel.email].filter((v) => v !== undefined);
    if (given.length !== 1) throw invalidRequest("Give exactly one of did, handle, email");
    const row = await this.lookupRow(given[0]!);
    if (!row) throw notFound("Account not found");
    return row;
  }

  // ---- handle change (02 §11 updateHandle) -----------------------------------------------------------------

  /**
   * Sets the account's local name or external handle in the caller's transaction (the old name is released).
   * Returns false when another live account holds the handle — checked here, inside the serialised write
   * transaction, so two accounts cannot both take it.
   */
  async setHandleInTx(tx: Tx, did: string, next: { name: string } | { externalHandle: string }): Promise<boolean> {
    const holder = "name" in next ? eq(accounts.name, next.name) : eq(accounts.externalHandle, next.externalHandle);
    if (await tx.orm.select({ did: accounts.did }).from(accounts).where(and(holder, live, ne(accounts.did, did))).get()) return false;
    await tx.orm.update(accounts).set("name" in next ? { name: next.name, externalHandle: null } : { name: null, externalHandle: next.externalHandle }).where(eq(accounts.did, did)).run();
    return true;
  }

  // ---- approval -------------------------------------------------------------------------------------------

  async approve(actorDid: string, sel: TargetSelector) {
    const target = await this.resolveTarget(sel);
    const handle = this.handleOf(target);
    return this.deps.db.transaction(async (tx) => {
      const at = new Date(this.now()).toISOString();
      // Conditional on "still awaiting approval": of two concurrent approvals exactly one matches.
      const row = await tx.orm.update(accounts).set({
        status: sql`CASE WHEN ${accounts.status} = 'pending' THEN 'approved' ELSE ${accounts.status} END`,
        approvedAt: at, approvedBy: actorDid, statusChangedAt: at, statusChangedBy: actorDid,
      }).where(and(eq(accounts.did, target.did), awaitingApproval)).returning().get();
      if (!row) throw alreadyResolved();
      // spec 10 §8 item 5: an account created here announces its genesis commit; a migrated one's head is its imported repo
      if (row.status === "approved") await this.deps.repo.announceInTx(tx, row.did, handle, { genesisCommit: target.createdVia !== "migration" });
      await this.deps.audit.writeInTx(tx, { action: "account.approve", actorType: "account", actorDid, targetDid: row.did, meta: { previousStatus: target.status } });
      return { did: row.did, handle, email: row.email, status: row.status };
    }, { lockKey: target.did });
  }

  async reject(actorDid: string, sel: TargetSelector, reason?: string) {
    const target = await this.resolveTarget(sel);
    if ((await this.rolesOf(target.did)).includes("admin")) throw forbidden("An admin account cannot be rejected; remove the admin role first");
    const handle = this.handleOf(target);
    const migratedIn = target.createdVia === "migration";
    const result = await this.deps.db.transaction(async (tx) => {
      const at = new Date(this.now()).toISOString();
      const row = await tx.orm.update(accounts).set({ status: "rejected", statusReason: reason ?? null, statusChangedAt: at, statusChangedBy: actorDid })
        .where(and(eq(accounts.did, target.did), awaitingApproval)).returning().get();
      if (!row) throw alreadyResolved();
      await this.deps.sessions.revokeAllInTx(tx, row.did);
      // 01 §3: repo and keys deleted, the DID tombstone queued (never for a migrated-in DID)
      await purgeRepoAndIdentityInTx(this.deps, tx, row.did, migratedIn ? null : "rejected");
      await this.deps.audit.writeInTx(tx, { action: "account.reject", actorType: "account", actorDid, targetDid: row.did, meta: { previousStatus: target.status, ...(reason ? { reason } : {}) } });
      return { did: row.did, handle, email: row.email, status: row.status };
    }, { lockKey: target.did });
    return result;
  }

  // ---- roles ----------------------------------------------------------------------------------------------

  async updateRoles(actorDid: string, did: string, addRoles: string[] = [], removeRoles: string[] = []) {
    if (!addRoles.length && !removeRoles.length) throw invalidRequest("Give addRoles or removeRoles");
    for (const r of [...addRoles, ...removeRoles]) if (!isPdsRole(r)) throw invalidRequest(`Unknown role: ${r}`);
    if (removeRoles.includes("user")) throw invalidRequest("The user role cannot be removed");
    if (did === actorDid && removeRoles.includes("admin")) throw invalidRequest("You cannot remove your own admin role");
    return this.deps.db.transaction(async (tx) => {
      const row = await tx.orm.select().from(accounts).where(and(eq(accounts.did, did), ne(accounts.status, "creating"))).get();
      if (!row) throw notFound("Account not found");
      const before = new Set((await tx.orm.select({ role: accountRoles.role }).from(accountRoles).where(eq(accountRoles.did, did)).all()).map((r) => r.role));
      const added = addRoles.filter((r) => !before.has(r) && !removeRoles.includes(r));
      const removed = removeRoles.filter((r) => before.has(r));
      for (const role of added) await tx.orm.insert(accountRoles).values({ did, role }).run();
      if (removed.length) await tx.orm.delete(accountRoles).where(and(eq(accountRoles.did, did), inArray(accountRoles.role, removed))).run();
      await this.deps.audit.writeInTx(tx, { action: "account.roles.update", actorType: "account", actorDid, targetDid: did, meta: { added, removed } });
      const roles = (await tx.orm.select({ role: accountRoles.role }).from(accountRoles).where(eq(accountRoles.did, did)).all()).map((r) => r.role).sort();
      return { did, handle: this.handleOf(row), roles };
    });
  }

  /** Bootstrap: make sure an account holds these roles (idempotent). */
  async ensureRolesInTx(tx: Tx, did: string, roles: readonly string[]): Promise<void> {
    for (const role of roles) await tx.orm.insert(accountRoles).values({ did, role }).onConflictDoNothing().run();
  }

  // ---- listings -------------------------------------------------------------------------------------------

  async list(filters: { status?: string; role?: string; q?: string }, page: { limit: number; cursor?: string }) {
    const { db } = this.deps;
    const where: SQL[] = [ne(accounts.status, "creating")];
    if (filters.status) where.push(eq(accounts.status, filters.status));
    if (filters.role) where.push(sql`EXISTS (SELECT 1 FROM account_roles r WHERE r.did = ${accounts.did} AND r.role = ${filters.role})`);
    if (filters.q) {
      const pat = `%${filters.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      where.push(sql`(lower(coalesce(${accounts.name}, ${accounts.externalHandle}, '')) LIKE ${pat} ESCAPE '\\' OR lower(${accounts.email}) LIKE ${pat} ESCAPE '\\')`);
    }
    const filter = and(...where);
    const total = (await db.orm.select({ n: count() }).from(accounts).where(filter).get())?.n ?? 0;
    const c = page.cursor !== undefined ? decodeCursor(page.cursor) : undefined;
    const after = c ? or(lt(accounts.createdAt, c.t), and(eq(accounts.createdAt, c.t), lt(accounts.did, c.k))) : undefined;
    const rows = await db.orm.select().from(accounts).where(and(filter, after)).orderBy(desc(accounts.createdAt), desc(accounts.did)).limit(page.limit + 1).all();
    const shown = rows.slice(0, page.limit);
    const roleRows = shown.length ? await db.orm.select().from(accountRoles).where(inArray(accountRoles.did, shown.map((r) => r.did))).all() : [];
    const last = shown[shown.length - 1];
    return {
      users: shown.map((r) => ({
        did: r.did,
        handle: this.handleOf(r),
        email: r.email,
        status: r.status,
        roles: roleRows.filter((x) => x.did === r.did).map((x) => x.role).sort(),
        createdAt: r.createdAt,
        ...(r.approvedAt ? { approvedAt: r.approvedAt } : {}),
        ...(r.statusReason ? { statusReason: r.statusReason } : {}),
        ...(r.statusChangedAt ? { statusChangedAt: r.statusChangedAt } : {}),
      })),
      ...(rows.length > page.limit && last ? { cursor: encodeCursor(last.createdAt, last.did) } : {}),
      total,
    };
  }

  async listPending(page: { limit: number; cursor?: string }) {
    const { db } = this.deps;
    const total = (await db.orm.select({ n: count() }).from(accounts).where(awaitingApproval).get())?.n ?? 0;
    const c = page.cursor !== undefined ? decodeCursor(page.cursor) : undefined;
    const after = c ? or(gt(accounts.createdAt, c.t), and(eq(accounts.createdAt, c.t), gt(accounts.did, c.k))) : undefined;
    const rows = await db.orm.select().from(accounts).where(and(awaitingApproval, after)).orderBy(asc(accounts.createdAt), asc(accounts.did)).limit(page.limit + 1).all();
    const shown = rows.slice(0, page.limit);
    const last = shown[shown.length - 1];
    return {
      users: shown.map((r) => ({
        did: r.did,
        handle: this.handleOf(r),
        email: r.email,
        createdAt: r.createdAt,
        createdVia: r.createdVia,
        ...(r.inviteCode ? { inviteCode: r.inviteCode } : {}),
      })),
      ...(rows.length > page.limit && last ? { cursor: encodeCursor(last.createdAt, last.did) } : {}),
      total,
    };
  }

  /** True when no account (other than failed reservations) exists: dev mode then creates `admin`. */
  async isEmpty(): Promise<boolean> {
    return ((await this.deps.db.orm.select({ n: count() }).from(accounts).where(ne(accounts.status, "creating")).get())?.n ?? 0) === 0;
  }
}

