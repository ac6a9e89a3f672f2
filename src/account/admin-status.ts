// Admin status transitions T12/T13 (01 §3, 06 §1): account.disable / account.enable, each in one transaction.
import { invalidStatus } from "./views.ts";
import { and, eq, inArray } from "drizzle-orm";
import type { Database } from "../db/database.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { Sequencer } from "../sequencer/index.ts";
import { headCommitInTx } from "../repo/lifecycle.ts";
import { forbidden, notFound } from "../errors.ts";
import type { AccountService } from "./account-service.ts";
import type { SessionService } from "./sessions.ts";
import { accounts } from "./schema.ts";


export interface AdminStatusDeps {
  db: Database;
  accounts: Pick<AccountService, "getRow" | "rolesOf" | "handleOf">;
  sessions: Pick<SessionService, "revokeAllInTx">;
  sequencer: Pick<Sequencer, "accountInTx" | "identityInTx" | "syncInTx">;
  audit: Pick<AuditLog, "writeInTx">;
}

export class AdminStatusService {
  constructor(private readonly deps: AdminStatusDeps, private readonly now: () => number = Date.now) {}

  /** T12: approved/deactivated → disabled; every session revoked; `#account` inactive with the wire status "deactivated". */
  async disable(actorDid: string, did: string, reason?: string): Promise<{ did: string; status: "disabled" }> {
    const { db, accounts: accts, sessions, sequencer, audit } = this.deps;
    const row = await accts.getRow(did);
    if (!row || ["creating", "rejected"].includes(row.status)) throw notFound("Account not found");
    if ((await accts.rolesOf(did)).includes("admin")) throw forbidden("Admins cannot be disabled; remove the admin role first");
    if (row.status !== "approved" && row.status !== "deactivated") throw invalidStatus(row.status);
    await db.transaction(async (tx) => {
      const at = new Date(this.now()).toISOString();
      // conditional on the status read above: a concurrent transition makes this one a clean InvalidStatus
      const updated = await tx.orm.update(accounts).set({ status: "disabled", statusReason: reason ?? null, statusChangedAt: at, statusChangedBy: actorDid })
        .where(and(eq(accounts.did, did), inArray(accounts.status, ["approved", "deactivated"]))).returning({ did: accounts.did }).get();
      if (!updated) throw invalidStatus("changing");
      await sessions.revokeAllInTx(tx, did);
      await sequencer.accountInTx(tx, did, false, "deactivated");
      await audit.writeInTx(tx, { action: "account.disable", actorType: "account", actorDid, targetDid: did, meta: { previousStatus: row.status, ...(reason ? { reason } : {}) } });
    }, { lockKey: did });
    return { did, status: "disabled" };
  }

  /** T13: disabled → approved; announced as a repo becoming active again (#account, #identity, #sync; 03 §7). */
  async enable(actorDid: string, did: string): Promise<{ did: string; status: "approved" }> {
    const { db, accounts: accts, sequencer, audit } = this.deps;
    const row = await accts.getRow(did);
    if (!row || ["creating", "rejected"].includes(row.status)) throw notFound("Account not found");
    if (row.status !== "disabled") throw invalidStatus(row.status);
    const handle = accts.handleOf(row);
    await db.transaction(async (tx) => {
      const at = new Date(this.now()).toISOString();
      const updated = await tx.orm.update(accounts).set({ status: "approved", statusReason: null, statusChangedAt: at, statusChangedBy: actorDid })
        .where(and(eq(accounts.did, did), eq(accounts.status, "disabled"))).returning({ did: accounts.did }).get();
      if (!updated) throw invalidStatus("changing");
      const head = await headCommitInTx(tx, did);
      await sequencer.accountInTx(tx, did, true);
      await sequencer.identityInTx(tx, did, handle);
      if (head) await sequencer.syncInTx(tx, did, head);
      await audit.writeInTx(tx, { action: "account.enable", actorType: "account", actorDid, targetDid: did, meta: { previousStatus: "disabled" } });
    }, { lockKey: did });
    return { did, status: "approved" };
  }
}
