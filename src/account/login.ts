// Password login (createSession, 01 §9.4–9.5) and password change: lockout check → one argon2id verification → outcome.
import { eq } from "drizzle-orm";
import type { Database } from "../db/database.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { AccessScope, AccountStatus } from "../caller.ts";
import { DomainError, invalidRequest, invalidToken } from "../errors.ts";
import type { AccountService } from "./account-service.ts";
import type { Lockout } from "./lockout.ts";
import { dummyPasswordHash, hashPassword, needsRehash, verifyPassword } from "./passwords.ts";
import { classifyIdentifier, isAcceptablePassword, MSG } from "./rules.ts";
import { accounts } from "./schema.ts";
import { sha256Hex, type SessionService, type TokenPair } from "./sessions.ts";
import { statusError, type AccountRow } from "./views.ts";
import { appPassScope, type AppPasswordService } from "./app-passwords.ts";

const invalidCredentials = () => new DomainError("auth", "Unauthorized", "Invalid identifier or password");

/** Scope of a session for a status, or the error when that status gets no session. */
export function sessionScope(status: AccountStatus, opts: { allowTakendown?: boolean; queued?: boolean } = {}): AccessScope {
  switch (status) {
    case "approved":
    case "deactivated":
      return "com.atproto.access";
    case "suspended":
    case "disabled":
      if (opts.allowTakendown) return "com.atproto.takendown";
      throw statusError(status);
    case "takendown":
      if (opts.allowTakendown) return "com.atproto.takendown";
      throw new DomainError("auth", "AccountTakedown", statusError(status).message);
    case "pending":
      if (opts.queued) return "com.atproto.signupQueued";
      throw statusError(status);
    default:
      throw statusError(status);
  }
}

/** Scope of a session bound to an app password (10 §4): appPass(Privileged) while approved or deactivated; restricted and queued sessions keep theirs. */
export function appPasswordSessionScope(status: AccountStatus, privileged: boolean, opts: { allowTakendown?: boolean; queued?: boolean } = {}): AccessScope {
  return status === "approved" || status === "deactivated" ? appPassScope(privileged) : sessionScope(status, opts);
}

export class LoginService {
  constructor(
    private readonly deps: { db: Database; accounts: AccountService; sessions: SessionService; lockout: Lockout; audit: AuditLog; handleDomain: string; appPasswords?: Pick<AppPasswordService, "match"> },
  ) {}

  private async findAccount(identifier: string): Promise<AccountRow | undefined> {
    const id = classifyIdentifier(identifier, this.deps.handleDomain);
    if (id.kind === "none") return undefined;
    if (id.kind === "name" && id.value.includes(".")) return undefined;
    const row = await this.deps.accounts.lookupRow(id.kind === "name" ? id.value : id.value);
    return row && row.status !== "creating" ? row : undefined;
  }

  /**
   * The one credential check (01 §9.4): lockout → one argon2id verification (dummy hash for unknown identifiers) →
   * app password by HMAC when allowed → lockout reset and rehash. Failures write `session.loginFailed` (with `via`).
   */
  private async checkCredentials(input: { identifier: string; password: string }, ip: string, opts: { appPasswords: boolean; via?: string }): Promise<{ row: AccountRow; appPassword?: { id: string; name: string; privileged: boolean } }> {
    const { lockout, audit, db } = this.deps;
    const normalised = input.identifier.trim().toLowerCase();
    const row = await this.findAccount(input.identifier);
    const key = row ? `account:${row.did}` : `ident:${sha256Hex(normalised)}`;
    const identifierHash = sha256Hex(normalised);
    const via = opts.via ? { via: opts.via } : {};
    const fail = (reason: string) => audit.write({ action: "session.loginFailed", actorType: "anonymous", ...(row ? { targetDid: row.did } : {}), meta: { reason, identifierHash, ip, ...via }, ip });

    const lockedFor = await lockout.lockedFor(key);
    if (lockedFor !== undefined) {
      await fail("account_locked");
      throw new DomainError("rateLimited", "AccountLocked", "Too many failed login attempts; try again later", { retryAfter: lockedFor }, lockedFor);
    }
    // Exactly one full verification per unlocked attempt, against a dummy hash when there is no account.
    const tooLong = [...input.password].length > 256;
    let ok = await verifyPassword(tooLong ? "" : input.password, row?.passwordHash ?? dummyPasswordHash());
    // 10 §4: only when the account password fails is the input tried as an app password (an HMAC, no second argon2id)
    const appPassword = !ok && row && !tooLong && opts.appPasswords ? await this.deps.appPasswords?.match(row.did, input.password) : undefined;
    if (appPassword) ok = true;
    if (!ok || !row || tooLong) {
      await lockout.recordFailure(key);
      await fail(row ? "wrong_password" : "unknown_identifier");
      throw invalidCredentials();
    }
    await lockout.reset(key);
    if (!appPassword && needsRehash(row.passwordHash)) {
      const hash = await hashPassword(input.password);
      await db.transaction(async (tx) => {
        await tx.orm.update(accounts).set({ passwordHash: hash }).where(eq(accounts.did, row.did)).run();
      });
    }
    return { row, ...(appPassword ? { appPassword } : {}) };
  }

  /**
   * The OAuth sign-in page (11 §5.3): the same identifier forms, lockout, timing and audit as createSession, app
   * passwords refused, then createSession's status rule (approved and deactivated continue, the others get its
   * error). No password session is created.
   */
  async verifyForOAuth(input: { identifier: string; password: string }, ip: string): Promise<AccountRow> {
    const { row } = await this.checkCredentials(input, ip, { appPasswords: false, via: "oauth" });
    sessionScope(row.status as AccountStatus);
    return row;
  }

  async login(input: { identifier: string; password: string; allowTakendown?: boolean }, ip: string): Promise<{ row: AccountRow; tokens: TokenPair; sid: string; scope: AccessScope }> {
    const { audit, sessions, db } = this.deps;
    const { row, appPassword } = await this.checkCredentials(input, ip, { appPasswords: true });
    const scope = appPassword
      ? appPasswordSessionScope(row.status as AccountStatus, appPassword.privileged, { allowTakendown: input.allowTakendown })
      : sessionScope(row.status as AccountStatus, { allowTakendown: input.allowTakendown });
    const created = await db.transaction(async (tx) => {
      const s = await sessions.createInTx(tx, row.did, scope, appPassword?.id);
      const via = appPassword ? { appPassword: appPassword.name } : {};
      await audit.writeInTx(tx, { action: "session.create", actorType: "account", actorDid: row.did, targetDid: row.did, meta: { sid: s.sid, restricted: scope === "com.atproto.takendown", ...via }, ip });
      return s;
    });
    return { row, tokens: { accessJwt: created.accessJwt, refreshJwt: created.refreshJwt }, sid: created.sid, scope };
  }

  /**
   * net.openfederation.account.changePassword (01 §9): the new password's rules first (no lockout cost), then one
   * verification of the current one under the account's lockout, then hash, revoke every other session and audit in
   * one transaction. The caller's own session stays live.
   */
  async changePassword(did: string, sid: string, input: { currentPassword: string; newPassword: string }, ip?: string): Promise<void> {
    const { lockout, audit, sessions, db, accounts: accts } = this.deps;
    if (!isAcceptablePassword(input.newPassword)) throw invalidRequest(MSG.password);
    if (input.newPassword === input.currentPassword) throw invalidRequest("The new password must differ from the current one");
    const row = await accts.getRow(did);
    if (!row) throw invalidToken();
    const key = `account:${did}`;
    const lockedFor = await lockout.lockedFor(key);
    if (lockedFor !== undefined) throw new DomainError("rateLimited", "AccountLocked", "Too many failed password attempts; try again later", { retryAfter: lockedFor }, lockedFor);
    const tooLong = [...input.currentPassword].length > 256;
    if (!(await verifyPassword(tooLong ? "" : input.currentPassword, row.passwordHash)) || tooLong) {
      await lockout.recordFailure(key);
      throw new DomainError("auth", "Unauthorized", "Current password is incorrect");
    }
    await lockout.reset(key);
    const hash = await hashPassword(input.newPassword);
    await db.transaction(async (tx) => {
      await tx.orm.update(accounts).set({ passwordHash: hash }).where(eq(accounts.did, did)).run();
      const revoked = await sessions.revokeOthersInTx(tx, did, sid);
      await audit.writeInTx(tx, { action: "account.password.change", actorType: "account", actorDid: did, targetDid: did, meta: { revokedSessions: revoked }, ip });
    });
  }
}
