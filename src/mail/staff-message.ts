// com.atproto.admin.sendEmail (10 §6): staff write to an account's address; sent first (no transaction), then audited.
import type { Database } from "../db/database.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import { invalidRequest, notFound, upstreamFailure } from "../errors.ts";
import type { Logger } from "../util/logger.ts";
import { safeMailError, type Mailer } from "./mailer.ts";
import { noMailer } from "./token-mail.ts";

export const MAX_CONTENT = 10_000;

export interface StaffMessageDeps {
  db: Database;
  mailer: Mailer;
  audit: Pick<AuditLog, "writeInTx">;
  /** the recipient's address, for a live account (not creating or rejected) */
  recipient: (did: string) => Promise<{ email: string } | undefined>;
  /** PDS_HOSTNAME, in the default subject */
  server: string;
  logger: Logger;
}

export class StaffMessageService {
  constructor(private readonly deps: StaffMessageDeps) {}

  /**
   * Order: senderDid = the caller (400), content ≤ 10 000 (400), 501 without a mailer, 404 unknown recipient, then the
   * send (502 on failure, nothing audited) and the audit row `admin.sendEmail` (never the content).
   */
  async send(actorDid: string, input: { recipientDid: string; senderDid: string; content: string; subject?: string; comment?: string }): Promise<{ sent: true }> {
    const { mailer, audit, db, logger } = this.deps;
    if (input.senderDid !== actorDid) throw invalidRequest("senderDid must be the caller's DID");
    if ([...input.content].length > MAX_CONTENT) throw invalidRequest(`content must be at most ${MAX_CONTENT} characters`);
    if (!input.content.trim()) throw invalidRequest("content must not be empty");
    if (!mailer.configured) throw noMailer();
    const to = await this.deps.recipient(input.recipientDid);
    if (!to) throw notFound("Account not found");
    const subject = input.subject?.trim() || `Message from ${this.deps.server}`;
    try {
      await mailer.send({ to: to.email, subject, text: input.content.endsWith("\n") ? input.content : `${input.content}\n`, purpose: "admin_message" });
    } catch (err) {
      logger.warn("mail not sent", { purpose: "admin_message", domain: to.email.split("@").pop(), err: safeMailError(err) });
      throw upstreamFailure("Could not send email");
    }
    await db.transaction((tx) => audit.writeInTx(tx, {
      action: "admin.sendEmail", actorType: "account", actorDid, targetDid: input.recipientDid,
      meta: { recipientDid: input.recipientDid, subject, ...(input.comment ? { comment: input.comment } : {}), length: [...input.content].length },
    }));
    return { sent: true };
  }
}
