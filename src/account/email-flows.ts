// Email confirmation, email change and password reset by mailed token (10 §5.3), with their limits and audit rows.
import { and, eq, ne, notInArray } from "drizzle-orm";
import type { Database } from "../db/database.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import { DomainError, invalidRequest, invalidToken } from "../errors.ts";
import type { EmailTokens } from "../mail/tokens.ts";
import { expiredEmailToken, invalidEmailToken } from "../mail/tokens.ts";
import type { TokenMailer } from "../mail/token-mail.ts";
import { assertAccountLimit, EMAIL_WINDOWS, overAccountLimit, RESET_WINDOWS } from "../mail/account-limits.ts";
import type { AccountService } from "./account-service.ts";
import type { SessionService } from "./sessions.ts";
import { hashPassword } from "./passwords.ts";
import { isAcceptablePassword, isValidEmail, MSG, normaliseEmail } from "./rules.ts";
import { accounts, loginFailures } from "./schema.ts";
import type { AccountRow } from "./views.ts";

export interface EmailFlowDeps {
  db: Database;
  accounts: Pick<AccountService, "getRow" | "handleOf">;
  sessions: Pick<SessionService, "revokeAllInTx">;
  audit: Pick<AuditLog, "writeInTx">;
  tokens: EmailTokens;
  mail: TokenMailer;
  /** RATE_LIMITS_ENABLED: the per-account mail limits (06 §11) */
  limitsEnabled: boolean;
  now: () => number;
}

const emailInUse = () => new DomainError("invalid", "InvalidRequest", "Email already in use");

export class EmailFlowService {
  constructor(private readonly deps: EmailFlowDeps) {}

  private async row(did: string): Promise<AccountRow> {
    const row = await this.deps.accounts.getRow(did);
    if (!row || row.status === "creating" || row.status === "rejected") throw invalidToken();
    return row;
  }

  /** requestEmailConfirmation: a `confirm_email` token to the current address. */
  async requestConfirmation(did: string): Promise<void> {
    const { mail, audit, db, now, limitsEnabled } = this.deps;
    mail.requireMailer();
    const row = await this.row(did);
    await assertAccountLimit(db.orm, did, "account.email.requestConfirmation", EMAIL_WINDOWS, now(), limitsEnabled);
    await mail.issueAndSend({
      did, purpose: "confirm_email", to: row.email, handle: this.deps.accounts.handleOf(row),
      inTx: (tx) => audit.writeInTx(tx, { action: "account.email.requestConfirmation", actorType: "account", actorDid: did, targetDid: did }),
    });
  }

  /** confirmEmail: `email` must be the current address (400 InvalidEmail); the token is used in the same transaction. */
  async confirm(did: string, input: { email: string; token: string }): Promise<void> {
    const { tokens, db, audit, now } = this.deps;
    const row = await this.row(did);
    if (normaliseEmail(input.email) !== row.email) throw new DomainError("invalid", "InvalidEmail", "The email does not match the account's current email");
    await tokens.check(did, "confirm_email", input.token);
    await db.transaction(async (tx) => {
      if (!(await tokens.consumeInTx(tx, did, "confirm_email", input.token))) throw invalidEmailToken();
      await tx.orm.update(accounts).set({ emailConfirmedAt: new Date(now()).toISOString() }).where(eq(accounts.did, did)).run();
      await audit.writeInTx(tx, { action: "account.email.confirm", actorType: "account", actorDid: did, targetDid: did });
    });
  }

  /** requestEmailUpdate: a token is needed (and mailed to the current address) only when that address is confirmed. */
  async requestUpdate(did: string): Promise<{ tokenRequired: boolean }> {
    const { mail, audit, db, now, limitsEnabled } = this.deps;
    mail.requireMailer();
    const row = await this.row(did);
    await assertAccountLimit(db.orm, did, "account.email.requestUpdate", EMAIL_WINDOWS, now(), limitsEnabled);
    const tokenRequired = row.emailConfirmedAt !== null;
    const auditRow = { action: "account.email.requestUpdate", actorType: "account" as const, actorDid: did, targetDid: did, meta: { tokenRequired } };
    if (!tokenRequired) {
      await db.transaction((tx) => audit.writeInTx(tx, auditRow));
      return { tokenRequired };
    }
    await mail.issueAndSend({ did, purpose: "update_email", to: row.email, handle: this.deps.accounts.handleOf(row), inTx: (tx) => audit.writeInTx(tx, auditRow) });
    return { tokenRequired };
  }

  /**
   * updateEmail: 01 §4 rules and uniqueness; with a confirmed address the `update_email` token is required. The new
   * address is set unconfirmed, every token of the account is deleted, and a `confirm_email` token goes to the new one.
   */
  async update(did: string, input: { email: string; token?: string }): Promise<void> {
    const { tokens, db, audit, mail } = this.deps;
    const row = await this.row(did);
    const email = normaliseEmail(input.email);
    if (!isValidEmail(email)) throw invalidRequest(MSG.email);
    const tokenRequired = row.emailConfirmedAt !== null;
    if (tokenRequired && !input.token) throw new DomainError("invalid", "TokenRequired", "Confirm the change with the token mailed to your current address");
    if (tokenRequired) await tokens.check(did, "update_email", input.token!);
    const confirmToken = await db.transaction(async (tx) => {
      if (tokenRequired && !(await tokens.consumeInTx(tx, did, "update_email", input.token!))) throw invalidEmailToken();
      const holder = await tx.orm.select({ did: accounts.did }).from(accounts).where(and(eq(accounts.email, email), ne(accounts.status, "rejected"), ne(accounts.did, did))).get();
      if (holder) throw emailInUse();
      await tx.orm.update(accounts).set({ email, emailConfirmedAt: null }).where(eq(accounts.did, did)).run();
      await tokens.deleteInTx(tx, did);
      await audit.writeInTx(tx, { action: "account.email.update", actorType: "account", actorDid: did, targetDid: did });
      return mail.canSend() ? await tokens.issueInTx(tx, did, "confirm_email") : undefined;
    });
    // the change has committed: a failed confirmation mail is logged and its token deleted, the call still succeeds
    // (the holder can ask again with requestEmailConfirmation)
    if (confirmToken) await mail.send(did, "confirm_email", email, this.deps.accounts.handleOf(row), confirmToken).catch(() => {});
  }

  /**
   * requestPasswordReset: 200 whatever the address, so it reveals nothing. Only a live account gets a mail and an
   * audit row; an account over its 3/h gets neither (a 429 would reveal that the address exists).
   */
  async requestPasswordReset(rawEmail: string): Promise<void> {
    const { mail, audit, db, now, limitsEnabled } = this.deps;
    mail.requireMailer();
    const email = normaliseEmail(rawEmail);
    if (!isValidEmail(email)) return;
    const row = await db.orm.select().from(accounts).where(and(eq(accounts.email, email), notInArray(accounts.status, ["creating", "rejected"]))).get();
    if (!row) return;
    if (limitsEnabled && (await overAccountLimit(db.orm, row.did, "account.password.resetRequest", RESET_WINDOWS, now())) !== undefined) return;
    await mail.issueAndSend({
      did: row.did, purpose: "reset_password", to: row.email, handle: this.deps.accounts.handleOf(row),
      inTx: (tx) => audit.writeInTx(tx, { action: "account.password.resetRequest", actorType: "anonymous", targetDid: row.did }),
    });
  }

  /** resetPassword: new hash, every session revoked (app-password ones too), the lockout counter cleared, in one transaction. */
  async resetPassword(input: { token: string; password: string }): Promise<void> {
    const { tokens, db, audit, sessions } = this.deps;
    const found = await tokens.findAccount("reset_password", input.token);
    if (found === "invalid") throw invalidEmailToken();
    if (found === "expired") throw expiredEmailToken();
    if (!isAcceptablePassword(input.password)) throw invalidRequest(MSG.password);
    const hash = await hashPassword(input.password);
    const { did } = found;
    await db.transaction(async (tx) => {
      if (!(await tokens.consumeInTx(tx, did, "reset_password", input.token))) throw invalidEmailToken();
      const updated = await tx.orm.update(accounts).set({ passwordHash: hash }).where(eq(accounts.did, did)).returning({ did: accounts.did }).all();
      if (!updated.length) throw invalidEmailToken();
      await sessions.revokeAllInTx(tx, did);
      await tx.orm.delete(loginFailures).where(eq(loginFailures.key, `account:${did}`)).run();
      await audit.writeInTx(tx, { action: "account.password.reset", actorType: "anonymous", targetDid: did });
    });
  }
}
