// Account moderation transitions T8-T11 (01 §3, 06 §1-§2): suspend, unsuspend, takedown, untakedown, each in one transaction.
import { and, eq } from "drizzle-orm";
import type { Database, Tx } from "../db/database.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { Sequencer } from "../sequencer/index.ts";
import { headCommitInTx } from "../repo/lifecycle.ts";
import { DomainError, forbidden, notFound } from "../errors.ts";
import type { AccountService } from "./account-service.ts";
import type { SessionService } from "./sessions.ts";
import { accountExportRequired, accountExportRuleSatisfied } from "./export-rule.ts";
import { invalidStatus, type AccountRow } from "./views.ts";
import { accounts } from "./schema.ts";

export const alreadySuspended = () => new DomainError("invalid", "AlreadySuspended", "This account is already suspended");
export const notSuspended = () => new DomainError("invalid", "NotSuspended", "This account is not suspended");
export const alreadyTakenDown = () => new DomainError("invalid", "AlreadyTakenDown", "This account is already taken down");
export const notTakenDown = () => new DomainError("invalid", "NotTakenDown", "This account is not taken down");

/** Roles that put an account out of a moderator's reach (01 §3 T8/T9): staff and partner managers. */
const PROTECTED_FROM_MODERATORS = ["admin", "moderator", "auditor", "partner-manager"];
/** Statuses a suspension or takedown may start from (T8, T10); `suspended` is added for T10. */
const SUSPENDABLE = ["approved", "deactivated", "disabled"];
/** What T9/T11 may restore: the holder-chosen (or admin-chosen) status before moderation. */
const RESTORABLE = ["approved", "deactivated", "disabled"] as const;
type Restored = (typeof RESTORABLE)[number];

export interface AccountModerationDeps {
  db: Database;
  accounts: Pick<AccountService, "getRow" | "rolesOf" | "handleOf">;
  sessions: Pick<SessionService, "revokeAllInTx">;
  sequencer: Pick<Sequencer, "accountInTx" | "identityInTx" | "syncInTx">;
  audit: Pick<AuditLog, "writeInTx">;
  /** the repo's head rev (06 §2 rule (a) compares it with the holder's last export) */
  headRev(did: string): Promise<string | undefined>;
  /** TAKEDOWN_EXPORT_GRACE_DAYS */
  graceDays: number;
}

/** The acting staff account: its DID and PDS roles (read from the database by authentication). */
export interface ModeratorActor {
  did: string;
  roles: readonly string[];
}

export interface ModerationResult {
  did: string;
  status: string;
  reason?: string;
}

const isAdmin = (actor: ModeratorActor) => actor.roles.includes("admin");

export class AccountModerationService {
  constructor(private readonly deps: AccountModerationDeps, private readonly now: () => number = Date.now) {}

  /** The account as moderation sees it: hosted and past registration; `creating` and `rejected` are not found. */
  private async target(did: string): Promise<AccountRow> {
    const row = await this.deps.accounts.getRow(did);
    if (!row || row.status === "creating" || row.status === "rejected") throw notFound("Account not found");
    return row;
  }

  /** A moderator acts only on accounts without staff or partner-manager roles; nobody suspends or takes down an admin. */
  private async checkTarget(actor: ModeratorActor, did: string, entering: boolean): Promise<void> {
    const roles = await this.deps.accounts.rolesOf(did);
    if (entering && roles.includes("admin")) throw forbidden("An admin account cannot be moderated; remove the admin role first");
    if (!isAdmin(actor) && roles.some((r) => PROTECTED_FROM_MODERATORS.includes(r))) {
      throw forbidden("Moderators may only act on accounts holding no staff or partner-manager role");
    }
  }

  /** T8: approved/deactivated/disabled → suspended; sessions revoked; `#account` "suspended"; the suspension period starts. */
  async suspend(actor: ModeratorActor, did: string, reason?: string): Promise<ModerationResult> {
    const row = await this.target(did);
    await this.checkTarget(actor, did, true);
    assertSuspendable(row.status);
    await this.deps.db.transaction(async (tx) => {
      // read again in the (serialised) write transaction: of concurrent suspensions exactly one passes, the others
      // answer AlreadySuspended; the UPDATE is conditional on the status read as well
      const current = await currentInTx(tx, did);
      assertSuspendable(current.status);
      const at = this.iso();
      const updated = await tx.orm.update(accounts).set({
        status: "suspended", previousStatus: current.status, statusReason: reason ?? null, statusChangedAt: at, statusChangedBy: actor.did, suspendedAt: at,
      }).where(and(eq(accounts.did, did), eq(accounts.status, current.status))).returning({ did: accounts.did }).get();
      if (!updated) throw invalidStatus("changing");
      await this.deps.sessions.revokeAllInTx(tx, did);
      await this.deps.sequencer.accountInTx(tx, did, false, "suspended");
      await this.auditInTx(tx, "account.suspend", actor, did, current.status, reason);
    }, { lockKey: did });
    return { did, status: "suspended", ...(reason ? { reason } : {}) };
  }

  /** T9: suspended → previousStatus; the suspension period ends; announced as T13 when the result is approved. */
  async unsuspend(actor: ModeratorActor, did: string): Promise<ModerationResult> {
    const row = await this.target(did);
    await this.checkTarget(actor, did, false);
    if (row.status !== "suspended") throw notSuspended();
    return this.restore(actor, row, "account.unsuspend");
  }

  /** T10 (admin): approved/deactivated/disabled/suspended → takendown, under the export rule (06 §2). */
  async takedown(actor: ModeratorActor, did: string, reason?: string): Promise<ModerationResult> {
    if (!isAdmin(actor)) throw forbidden("Only an admin may take an account down");
    const row = await this.target(did);
    await this.checkTarget(actor, did, true);
    assertTakeDownable(row.status);
    if (!(await this.exportRuleHolds(row))) throw accountExportRequired();
    await this.deps.db.transaction(async (tx) => {
      // read again in the transaction: a commit or a status change since the first read must be judged too
      const current = await currentInTx(tx, did);
      assertTakeDownable(current.status);
      if (!accountExportRuleSatisfied(current, (await headCommitInTx(tx, did))?.rev, { now: this.now(), graceDays: this.deps.graceDays })) throw accountExportRequired();
      const at = this.iso();
      // from suspended: previousStatus stays the pre-suspension status and suspendedAt keeps counting (06 §2)
      const fromSuspension = current.status === "suspended";
      const updated = await tx.orm.update(accounts).set({
        status: "takendown", previousStatus: fromSuspension ? current.previousStatus : current.status, statusReason: reason ?? null,
        statusChangedAt: at, statusChangedBy: actor.did,
      }).where(and(eq(accounts.did, did), eq(accounts.status, current.status))).returning({ did: accounts.did }).get();
      if (!updated) throw invalidStatus("changing");
      await this.deps.sessions.revokeAllInTx(tx, did);
      await this.deps.sequencer.accountInTx(tx, did, false, "takendown");
      await this.auditInTx(tx, "account.takedown", actor, did, current.status, reason);
    }, { lockKey: did });
    return { did, status: "takendown", ...(reason ? { reason } : {}) };
  }

  /** T11 (admin): takendown → previousStatus (never `suspended`: a suspension's own previous status was kept). */
  async untakedown(actor: ModeratorActor, did: string): Promise<ModerationResult> {
    if (!isAdmin(actor)) throw forbidden("Only an admin may reverse a takedown");
    const row = await this.target(did);
    if (row.status !== "takendown") throw notTakenDown();
    return this.restore(actor, row, "account.untakedown");
  }

  private async exportRuleHolds(row: AccountRow): Promise<boolean> {
    return accountExportRuleSatisfied(row, await this.deps.headRev(row.did), { now: this.now(), graceDays: this.deps.graceDays });
  }

  /** T9/T11: back to previousStatus, announced like the status it returns to (01 §3 side-effects table). */
  private async restore(actor: ModeratorActor, row: AccountRow, action: "account.unsuspend" | "account.untakedown"): Promise<ModerationResult> {
    const { db, sequencer } = this.deps;
    const handle = this.deps.accounts.handleOf(row);
    const restored = await db.transaction(async (tx) => {
      // read again in the transaction: a concurrent restore has already moved it (NotSuspended / NotTakenDown)
      const current = await currentInTx(tx, row.did);
      if (current.status !== row.status) throw row.status === "suspended" ? notSuspended() : notTakenDown();
      const restored: Restored = (RESTORABLE as readonly string[]).includes(current.previousStatus ?? "") ? (current.previousStatus as Restored) : "approved";
      const at = this.iso();
      const updated = await tx.orm.update(accounts).set({
        status: restored, previousStatus: null, statusReason: null, statusChangedAt: at, statusChangedBy: actor.did, suspendedAt: null,
      }).where(and(eq(accounts.did, row.did), eq(accounts.status, row.status))).returning({ did: accounts.did }).get();
      if (!updated) throw row.status === "suspended" ? notSuspended() : notTakenDown();
      if (restored === "approved") {
        // a repo becoming active again: #account, #identity, #sync of the current head (03 §7), as account.enable
        const head = await headCommitInTx(tx, row.did);
        await sequencer.accountInTx(tx, row.did, true);
        await sequencer.identityInTx(tx, row.did, handle);
        if (head) await sequencer.syncInTx(tx, row.did, head);
      } else {
        // deactivated and disabled share the wire status "deactivated" (01 §2)
        await sequencer.accountInTx(tx, row.did, false, "deactivated");
      }
      await this.auditInTx(tx, action, actor, row.did, row.status);
      return restored;
    }, { lockKey: row.did });
    return { did: row.did, status: restored };
  }

  private async auditInTx(tx: Tx, action: string, actor: ModeratorActor, did: string, previousStatus: string, reason?: string): Promise<void> {
    await this.deps.audit.writeInTx(tx, { action, actorType: "account", actorDid: actor.did, targetDid: did, meta: { previousStatus, ...(reason ? { reason } : {}) } });
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }
}

/** The account row inside a write transaction; gone, creating or rejected → NotFound. */
async function currentInTx(tx: Tx, did: string): Promise<AccountRow> {
  const row = await tx.orm.select().from(accounts).where(eq(accounts.did, did)).get();
  if (!row || row.status === "creating" || row.status === "rejected") throw notFound("Account not found");
  return row;
}

function assertSuspendable(status: string): void {
  if (status === "suspended") throw alreadySuspended();
  if (status === "takendown") throw alreadyTakenDown();
  if (!SUSPENDABLE.includes(status)) throw invalidStatus(status);
}

function assertTakeDownable(status: string): void {
  if (status === "takendown") throw alreadyTakenDown();
  if (status !== "suspended" && !SUSPENDABLE.includes(status)) throw invalidStatus(status);
}
