// Issue a token and mail it (10 §5.1): the token (and the caller's audit row) commit first, the mail is sent after;
// a failed send deletes the token and answers 502.
import type { Database, Tx } from "../db/database.ts";
import { methodNotImplemented, upstreamFailure } from "../errors.ts";
import type { Logger } from "../util/logger.ts";
import { safeMailError, type Mailer, type MailPurpose } from "./mailer.ts";
import { tokenMail } from "./messages.ts";
import type { EmailTokens } from "./tokens.ts";

export interface TokenMailerDeps {
  db: Database;
  tokens: EmailTokens;
  mailer: Mailer;
  logger: Logger;
  /** PDS_HOSTNAME, named in the mail body */
  server: string;
}

export const noMailer = () => methodNotImplemented("This server cannot send email (SMTP_URL is not set)");

export class TokenMailer {
  constructor(private readonly deps: TokenMailerDeps) {}

  /** Whether a mailer exists (updateEmail mails the new address only then). */
  canSend(): boolean {
    return this.deps.mailer.configured;
  }

  /** 501 before anything is written when no mailer exists. */
  requireMailer(): void {
    if (!this.deps.mailer.configured) throw noMailer();
  }

  /**
   * Writes a fresh token for (did, purpose) and whatever `inTx` adds (the audit row) in one transaction, then mails it
   * to `to`. Why after the commit: mail is an external side effect (00 §3 rule 4) and must never hold the write lock.
   */
  async issueAndSend(opts: { did: string; purpose: MailPurpose; to: string; handle: string; inTx?: (tx: Tx) => Promise<void> | void }): Promise<void> {
    this.requireMailer();
    const token = await this.deps.db.transaction(async (tx) => {
      const t = await this.deps.tokens.issueInTx(tx, opts.did, opts.purpose);
      await opts.inTx?.(tx);
      return t;
    });
    await this.send(opts.did, opts.purpose, opts.to, opts.handle, token);
  }

  /** Mails an already committed token; on failure the token is deleted and 502 UpstreamFailure thrown. */
  async send(did: string, purpose: MailPurpose, to: string, handle: string, token: string): Promise<void> {
    try {
      await this.deps.mailer.send(tokenMail(purpose, to, { handle, token, server: this.deps.server }));
    } catch (err) {
      // the recipient's domain only: the address is personal data, the body holds the token
      this.deps.logger.warn("mail not sent", { purpose, domain: to.split("@").pop(), err: safeMailError(err) });
      await this.deps.tokens.delete(did, purpose);
      throw upstreamFailure("Could not send email");
    }
  }
}
