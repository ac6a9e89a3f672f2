// Staff reads and updates of accounts for com.atproto.admin.* (10 §6): account views, email, password, handle.
import { and, eq, inArray, ne } from "drizzle-orm";
import type { Database, Tx } from "../db/database.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import { DomainError, forbidden, invalidRequest, notFound } from "../errors.ts";
import type { AccountService } from "./account-service.ts";
import type { SessionService } from "./sessions.ts";
import type { HandleChangeService } from "./handle-change.ts";
import { hashPassword } from "./passwords.ts";
import { isAcceptablePassword, isPdsRole, isValidEmail, MSG, normaliseEmail, type PdsRole } from "./rules.ts";
import { accountRoles, accounts, invites, loginFailures } from "./schema.ts";
import { inviteCodeViews, type InviteCodeView } from "./invite-views.ts";
import { emailTokens } from "../mail/token-schema.ts";
import type { AccountRow } from "./views.ts";

/** com.atproto.admin.defs#accountView plus our `accountStatus` and `roles` (as on getSession, 01 §9.5). */
export interface AdminAccountView {
  did: string;
  handle: string;
  email: string;
  /** set by confirmEmail (10 §5.3) */
  emailConfirmedAt?: string;
  indexedAt: string;
  invitedBy?: InviteCodeView;
  invites: InviteCodeView[];
  invitesDisabled: false;
  deactivatedAt?: string;
  accountStatus: string;
  roles: string[];
}

export interface AdminAccountDeps {
  db: Database;
  accounts: Pick<AccountService, "getRow" | "lookupRow" | "rolesOf" | "handleOf" | "create">;
  sessions: Pick<SessionService, "revokeAllInTx">;
  audit: Pick<AuditLog, "writeInTx">;
  handleChanges: Pick<HandleChangeService, "update">;
}

/** A row staff may see or change: `creating` and `rejected` rows are not accounts (01 §2). */
const isLive = (row: AccountRow | undefined): row is AccountRow => !!row && row.status !== "creating" && row.status !== "rejected";
const emailInUse = () => new DomainError("invalid", "InvalidRequest", "Email already in use");

export class AdminAccountService {
  constructor(private readonly deps: AdminAccountDeps, private readonly now: () => number = Date.now) {}

  /** getAccountInfo: 404 NotFound for an unknown DID. */
  async info(did: string): Promise<AdminAccountView> {
    const [view] = await this.infos([did]);
    if (!view) throw notFound("Account not found");
    return view;
  }

  /** getAccountInfos: views in the order asked, unknown DIDs omitted; three queries whatever the count. */
  async infos(dids: string[]): Promise<AdminAccountView[]> {
    const { orm } = this.deps.db;
    const unique = [...new Set(dids)];
    if (!unique.length) return [];
    const rows = await orm.select().from(accounts).where(and(inArray(accounts.did, unique), ne(accounts.status, "creating"), ne(accounts.status, "rejected"))).all();
    if (!rows.length) return [];
    const roles = await orm.select().from(accountRoles).where(inArray(accountRoles.did, rows.map((r) => r.did))).all();
    const usedCodes = rows.flatMap((r) => (r.inviteCode ? [r.inviteCode] : []));
    const inviteRows = await orm.select().from(invites).where(inArray(invites.createdBy, rows.map((r) => r.did))).all();
    const invitedByRows = usedCodes.length ? await orm.select().from(invites).where(inArray(invites.code, usedCodes)).all() : [];
    const nowIso = new Date(this.now()).toISOString();
    const views = new Map((await inviteCodeViews(orm, [...inviteRows, ...invitedByRows.filter((i) => !inviteRows.some((o) => o.code === i.code))], nowIso)).map((v) => [v.code, v]));
    const byDid = new Map(rows.map((r) => [r.did, r]));
    return unique.flatMap((did) => {
      const r = byDid.get(did);
      if (!r) return [];
      const invitedBy = r.inviteCode ? views.get(r.inviteCode) : undefined;
      return [{
        did: r.did,
        handle: this.deps.accounts.handleOf(r),
        email: r.email,
        ...(r.emailConfirmedAt ? { emailConfirmedAt: r.emailConfirmedAt } : {}),
        indexedAt: r.createdAt,
        ...(invitedBy ? { invitedBy } : {}),
        invites: inviteRows.filter((i) => i.createdBy === r.did).map((i) => views.get(i.code)!),
        invitesDisabled: false as const,
        ...(r.status === "deactivated" && r.statusChangedAt ? { deactivatedAt: r.statusChangedAt } : {}),
        accountStatus: r.status,
        roles: roles.filter((x) => x.did === r.did).map((x) => x.role).sort(),
      }];
    });
  }

  /**
   * net.openfederation.admin.createAccount: the shared creation routine (01 §5) with `createdVia: "admin"` — no invite,
   * approved at once, reserved names refused as on every method; the holder's primary rotation key is returned once.
   */
  async create(actorDid: string, input: { handle: string; email: string; password: string; rotationKey?: string; roles?: string[] }) {
    const roles = [...new Set(input.roles ?? [])];
    for (const r of roles) if (!isPdsRole(r)) throw invalidRequest(`Unknown role: ${r}`);
    const created = await this.deps.accounts.create({
      handle: input.handle, email: input.email, password: input.password, ...(input.rotationKey ? { rotationKey: input.rotationKey } : {}),
      createdVia: "admin", byStaff: true, roles: roles as PdsRole[], actor: { type: "account", did: actorDid },
    });
    return { did: created.did, handle: created.handle, email: created.email, status: "approved" as const, roles: await this.deps.accounts.rolesOf(created.did), ...(created.primaryRotationKey ? { primaryRotationKey: created.primaryRotationKey } : {}) };
  }

  /** The target of an update: a live account not holding `admin` (10 §6, as 01 §3). */
  private async target(identifier: string): Promise<AccountRow> {
    const row = identifier.startsWith("did:") ? await this.deps.accounts.getRow(identifier) : await this.deps.accounts.lookupRow(identifier);
    if (!isLive(row)) throw notFound("Account not found");
    if ((await this.deps.accounts.rolesOf(row.did)).includes("admin")) throw forbidden("Accounts holding the admin role cannot be changed by staff; remove the role first");
    return row;
  }

  /**
   * Why again inside the write transaction: the role or the status may have changed since `target()` read them
   * (an updateRoles granting admin, a rejection); write transactions are serialised, so this read is the truth.
   */
  private async assertStillTargetInTx(tx: Tx, did: string): Promise<void> {
    const live = await tx.orm.select({ status: accounts.status }).from(accounts).where(eq(accounts.did, did)).get();
    if (!live || live.status === "creating" || live.status === "rejected") throw notFound("Account not found");
    if (await tx.orm.select({ role: accountRoles.role }).from(accountRoles).where(and(eq(accountRoles.did, did), eq(accountRoles.role, "admin"))).get()) {
      throw forbidden("Accounts holding the admin role cannot be changed by staff; remove the role first");
    }
  }

  /** updateAccountHandle: the 02 §11 rules for the target, through the handle-change service. */
  async updateHandle(actorDid: string, did: string, handle: string): Promise<void> {
    const row = await this.target(did);
    await this.deps.handleChanges.update(row.did, handle, { actorDid });
  }

  /**
   * updateAccountEmail: 01 §4 rules, unique among live accounts. Checked again inside the write transaction
   * (the unique index is the last word: a concurrent registration that took the address makes this a clean 400).
   */
  async updateEmail(actorDid: string, account: string, rawEmail: string): Promise<void> {
    const email = normaliseEmail(rawEmail);
    if (!isValidEmail(email)) throw invalidRequest(MSG.email);
    const row = await this.target(account);
    if (row.email === email) return; // unchanged: nothing written
    await this.deps.db.transaction(async (tx) => {
      await this.assertStillTargetInTx(tx, row.did);
      const holder = await tx.orm.select({ did: accounts.did }).from(accounts).where(and(eq(accounts.email, email), ne(accounts.status, "rejected"), ne(accounts.did, row.did))).get();
      if (holder) throw emailInUse();
      // a new address is unconfirmed and every mailed token dies with the old one (10 §5.2)
      await tx.orm.update(accounts).set({ email, emailConfirmedAt: null }).where(eq(accounts.did, row.did)).run();
      await tx.orm.delete(emailTokens).where(eq(emailTokens.did, row.did)).run();
      await this.deps.audit.writeInTx(tx, { action: "account.email.update", actorType: "account", actorDid, targetDid: row.did, meta: { byStaff: true } });
    });
  }

  /** updateAccountPassword: 01 §4 rules; new hash, every session of the target revoked, lockout cleared and the audit row in one transaction. */
  async updatePassword(actorDid: string, did: string, password: string): Promise<void> {
    if (!isAcceptablePassword(password)) throw invalidRequest(MSG.password);
    const row = await this.target(did);
    const hash = await hashPassword(password);
    await this.deps.db.transaction(async (tx) => {
      await this.assertStillTargetInTx(tx, row.did);
      await tx.orm.update(accounts).set({ passwordHash: hash }).where(eq(accounts.did, row.did)).run();
      await this.deps.sessions.revokeAllInTx(tx, row.did);
      // a reset is how a locked-out holder gets back in: the account's login-failure counter goes too (as resetPassword, 10 §5.3)
      await tx.orm.delete(loginFailures).where(eq(loginFailures.key, `account:${row.did}`)).run();
      await this.deps.audit.writeInTx(tx, { action: "account.password.change", actorType: "account", actorDid, targetDid: row.did, meta: { byStaff: true } });
    });
  }
}
