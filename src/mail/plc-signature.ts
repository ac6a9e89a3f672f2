// requestPlcOperationSignature / signPlcOperation (10 §5.3): a mailed `plc_operation` token, then an operation signed
// with the DID's recovery key and handed back unsubmitted, so standard migration tools can move the account away.
import type { Database } from "../db/database.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import { DomainError, invalidToken, upstreamFailure } from "../errors.ts";
import type { EmailTokens } from "./tokens.ts";
import { invalidEmailToken } from "./tokens.ts";
import type { TokenMailer } from "./token-mail.ts";
import { assertAccountLimit, HOURLY_5 } from "./account-limits.ts";
import type { Logger } from "../util/logger.ts";
import type { PlcOperation } from "../identity/plc-client.ts";
import type { PlcFieldChanges } from "../identity/plc-sign-request.ts";

export interface PlcSignatureDeps {
  db: Database;
  /** the account's address and handle (plugged in at the composition root) */
  account: (did: string) => Promise<{ email: string; handle: string } | undefined>;
  audit: Pick<AuditLog, "writeInTx">;
  tokens: EmailTokens;
  mail: TokenMailer;
  sign: (did: string, changes: PlcFieldChanges) => Promise<PlcOperation>;
  limitsEnabled: boolean;
  now: () => number;
  logger: Logger;
}

const FIELDS = ["rotationKeys", "alsoKnownAs", "verificationMethods", "services"] as const;

export class PlcSignatureService {
  constructor(private readonly deps: PlcSignatureDeps) {}

  async request(did: string): Promise<void> {
    const { mail, audit, db, now, limitsEnabled } = this.deps;
    mail.requireMailer();
    const acct = await this.deps.account(did);
    if (!acct) throw invalidToken();
    await assertAccountLimit(db.orm, did, "identity.plcSignatureRequest", HOURLY_5, now(), limitsEnabled);
    await mail.issueAndSend({
      did, purpose: "plc_operation", to: acct.email, handle: acct.handle,
      inTx: (tx) => audit.writeInTx(tx, { action: "identity.plcSignatureRequest", actorType: "account", actorDid: did, targetDid: did }),
    });
  }

  /**
   * The token is checked first (wrong ones count), the operation is built and signed (PLC read, no transaction open),
   * then the token is used together with the audit row. A directory failure leaves the token live (502).
   */
  async sign(did: string, input: { token: string } & PlcFieldChanges): Promise<{ operation: PlcOperation }> {
    const { tokens, db, audit } = this.deps;
    await tokens.check(did, "plc_operation", input.token);
    const changes: PlcFieldChanges = {};
    for (const k of FIELDS) if (input[k] !== undefined) changes[k] = input[k];
    let operation: PlcOperation;
    try {
      operation = await this.deps.sign(did, changes);
    } catch (err) {
      if (err instanceof DomainError) throw err;
      this.deps.logger.warn("plc operation not signed", { did, err: err instanceof Error ? err.message : String(err) });
      throw upstreamFailure("The PLC directory could not be reached");
    }
    await db.transaction(async (tx) => {
      if (!(await tokens.consumeInTx(tx, did, "plc_operation", input.token))) throw invalidEmailToken();
      await audit.writeInTx(tx, { action: "identity.signPlcOperation", actorType: "account", actorDid: did, targetDid: did, meta: { fields: Object.keys(changes) } });
    });
    return { operation };
  }
}
