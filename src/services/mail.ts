// Composition of the mail domain (10 §5): the mailer and tokens first (account deletion drops tokens), the token-mail
// flows once account deletion exists (self-deletion uses it).
import type { Config, Secrets } from "../config/types.ts";
import type { Database } from "../db/database.ts";
import type { Logger } from "../util/logger.ts";
import type { Clock } from "../util/clock.ts";
import type { JobScheduler } from "../jobs/scheduler.ts";
import type { IdentityService } from "../identity/service.ts";
import type { AccountServices } from "../account/index.ts";
import type { AccountDeletionService } from "../account/deletion.ts";
import { buildMailer, type Mailer } from "../mail/mailer.ts";
import { EmailTokens } from "../mail/tokens.ts";
import { TokenMailer } from "../mail/token-mail.ts";
import { EmailFlowService } from "../account/email-flows.ts";
import { SelfDeletionService } from "../account/self-delete.ts";
import { Lockout } from "../account/lockout.ts";
import { PlcSignatureService } from "../mail/plc-signature.ts";
import { StaffMessageService } from "../mail/staff-message.ts";

export interface MailBase {
  mailer: Mailer;
  emailTokens: EmailTokens;
  tokenMailer: TokenMailer;
}

/** The mailer and the token store; expired tokens are swept hourly (09 §7). */
export function buildMailBase(deps: { config: Config; secrets: Secrets; db: Database; logger: Logger; jobs: JobScheduler; now: Clock }): MailBase {
  const { config, secrets, db, now } = deps;
  const logger = deps.logger.child({ component: "mail" });
  const mailer = buildMailer({ config, secrets, logger, clock: now });
  const emailTokens = new EmailTokens(db, now);
  // tokens commit first, mails go out after (10 §5.2)
  const tokenMailer = new TokenMailer({ db, tokens: emailTokens, mailer, logger, server: config.hostname || "localhost" });
  deps.jobs.add({ name: "email-token-sweep", intervalMs: 3_600_000, run: () => emailTokens.sweepExpired().then(() => {}) });
  return { mailer, emailTokens, tokenMailer };
}

export interface MailFlowDeps {
  config: Config;
  db: Database;
  logger: Logger;
  now: Clock;
  accounts: AccountServices["accounts"];
  sessions: AccountServices["sessions"];
  audit: AccountServices["audit"];
  deletion: AccountDeletionService;
  identity: IdentityService;
}

/** The token-mail flows (10 §5.3) and staff messages (10 §6). */
export function buildMailFlows(base: MailBase, deps: MailFlowDeps) {
  const { config, db, logger, now, accounts, sessions, audit } = deps;
  // a mail goes only to an account past registration and not rejected
  const hostedRow = async (did: string) => {
    const row = await accounts.getRow(did);
    return row && row.status !== "creating" && row.status !== "rejected" ? row : undefined;
  };
  const mailDeps = { db, audit, tokens: base.emailTokens, mail: base.tokenMailer, limitsEnabled: config.rateLimits.enabled, now };
  const emailFlows = new EmailFlowService({ ...mailDeps, accounts, sessions });
  const selfDeletion = new SelfDeletionService({ ...mailDeps, accounts, lockout: new Lockout(db, now), deletion: deps.deletion });
  const plcSignatures = new PlcSignatureService({
    ...mailDeps, logger: logger.child({ component: "plc-signature" }), sign: (did, changes) => deps.identity.signRequestedOperation(did, changes),
    account: async (did) => {
      const row = await hostedRow(did);
      return row ? { email: row.email, handle: accounts.handleOf(row) } : undefined;
    },
  });
  const staffMessages = new StaffMessageService({
    db, mailer: base.mailer, audit, server: config.hostname || "localhost", logger: logger.child({ component: "mail" }),
    recipient: async (did) => {
      const row = await hostedRow(did);
      return row ? { email: row.email } : undefined;
    },
  });
  return { emailFlows, selfDeletion, plcSignatures, staffMessages };
}
