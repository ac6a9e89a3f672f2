// The holder's own deletion (T15, 10 §5.3): requestAccountDelete mails a `delete_account` token; server.deleteAccount
// checks DID, password (under the login lockout) and token, then runs the one deletion routine (deletion.ts).
import type { Database, Tx } from "../db/database.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import { DomainError, invalidToken } from "../errors.ts";
import type { EmailTokens } from "../mail/tokens.ts";
import { invalidEmailToken } from "../mail/tokens.ts";
import type { TokenMailer } from "../mail/token-mail.ts";
import { assertAccountLimit, HOURLY_5 } from "../mail/account-limits.ts";
import type { AccountService } from "./account-service.ts";
import type { AccountDeletionService } from "./deletion.ts";
import type { Lockout } from "./lockout.ts";
import { dummyPasswordHash, verifyPassword } from "./passwords.ts";

export interface SelfDeletionDeps {
  db: Database;
  accounts: Pick<AccountService, "getRow" | "handleOf">;
  audit: Pick<AuditLog, "writeInTx">;
  tokens: EmailTokens;
  mail: TokenMailer;
  lockout: Lockout;
  deletion: Pick<AccountDeletionService, "delete">;
  limitsEnabled: boolean;
  now: () => number;
}

const badCredentials = () => new DomainError("auth", "Unauthorized", "Invalid did or password");

export class SelfDeletionService {
  constructor(private readonly deps: SelfDeletionDeps) {}

  /** requestAccountDelete: 5/h per account; the token goes to the account's address. */
  async request(did: string): Promise<void> {
    const { mail, audit, db, now, limitsEnabled, accounts } = this.deps;
    mail.requireMailer();
    const row = await accounts.getRow(did);
    if (!row) throw invalidToken();
    await assertAccountLimit(db.orm, did, "account.deleteRequest", HOURLY_5, now(), limitsEnabled);
    await mail.issueAndSend({
      did, purpose: "delete_account", to: row.email, handle: accounts.handleOf(row),
      inTx: (tx) => audit.writeInTx(tx, { action: "account.deleteRequest", actorType: "account", actorDid: did, targetDid: did }),
    });
  }

  /**
   * server.deleteAccount: the password first (one argon2id check under the account's lockout, as createSession), then
   * the token, then the deletion with the token used inside its transaction. A refusal of the deletion itself
   * (409 AccountOwnsCommunities, 403 admin) rolls that transaction back, so the token is kept.
   */
  async delete(input: { did: string; password: string; token: string }): Promise<void> {
    const { accounts, lockout, tokens, deletion } = this.deps;
    const row = input.did.startsWith("did:") ? await accounts.getRow(input.did) : undefined;
    const key = row ? `account:${row.did}` : undefined;
    const lockedFor = key ? await lockout.lockedFor(key) : undefined;
    if (lockedFor !== undefined) throw new DomainError("rateLimited", "AccountLocked", "Too many failed password attempts; try again later", { retryAfter: lockedFor }, lockedFor);
    const tooLong = [...input.password].length > 256;
    const good = await verifyPassword(tooLong ? "" : input.password, row && row.status !== "creating" ? row.passwordHash : dummyPasswordHash());
    if (!row || row.status === "creating" || !good || tooLong) {
      if (key) await lockout.recordFailure(key);
      throw badCredentials();
    }
    await lockout.reset(key!);
    await tokens.check(row.did, "delete_account", input.token);
    await deletion.delete(row.did, {
      actorDid: row.did, bySelf: true,
      inTx: async (tx: Tx) => {
        if (!(await tokens.consumeInTx(tx, row.did, "delete_account", input.token))) throw invalidEmailToken();
      },
    });
  }
}
