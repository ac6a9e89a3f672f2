// Account deletion (T14, 06 §1): the refusals, then every effect in ONE transaction (blob files after commit) and
// the PLC tombstone queued in it while the DID document still names this server (02 §4).
import { eq } from "drizzle-orm";
import type { Database, Orm, Tx } from "../db/database.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { Sequencer } from "../sequencer/index.ts";
import type { TombstoneOutbox } from "../identity/tombstone-outbox.ts";
import { headCommitInTx } from "../repo/lifecycle.ts";
import { DomainError, forbidden, notFound } from "../errors.ts";
import type { AccountService } from "./account-service.ts";
import type { SessionService } from "./sessions.ts";
import type { IdentityPort, RepoPort } from "./ports.ts";
import { accountExportRequired, accountExportRuleSatisfied } from "./export-rule.ts";
import { externalKeys } from "./external-keys-schema.ts";
import { purgeRepoAndIdentityInTx } from "./purge.ts";
import { accountRoles, accounts } from "./schema.ts";

/** What deletion asks the community domain (plugged in at the composition root: src/community/account-removal.ts). */
export interface AccountCommunitiesPort {
  /** handles of the communities the account owns */
  ownedBy(orm: Orm, did: string): Promise<string[]>;
  /** member records and delegations removed from every community (one commit each), join requests dropped */
  removeEverywhereInTx(tx: Tx, did: string): Promise<string[]>;
}

export interface AccountDeletionDeps {
  db: Database;
  accounts: Pick<AccountService, "getRow" | "handleOf">;
  sessions: Pick<SessionService, "deleteAllInTx">;
  repo: Pick<RepoPort, "deleteInTx"> & { head(did: string): Promise<{ rev: string } | null> };
  identity: Pick<IdentityPort, "deleteKeysInTx">;
  tombstones: Pick<TombstoneOutbox, "shouldQueue" | "queueInTx">;
  blobs: { deleteRepoBlobsInTx(tx: Tx, did: string): Promise<number> };
  communities: AccountCommunitiesPort;
  sequencer: Pick<Sequencer, "accountInTx">;
  audit: Pick<AuditLog, "writeInTx">;
  graceDays: number;
  /** cleanup of account rows other domains own (app passwords, preferences, OAuth, once they exist), in the transaction */
  cleanupInTx?: ReadonlyArray<(tx: Tx, did: string) => Promise<void>>;
}

export const accountOwnsCommunities = (handles: string[]) =>
  new DomainError("conflict", "AccountOwnsCommunities",
    `The account owns ${handles.length === 1 ? "a community" : "communities"}: ${handles.join(", ")}. ` +
    "Transfer their ownership (net.openfederation.community.transferOwnership) or delete them first.");

const rolesOf = async (orm: Orm, did: string) => (await orm.select({ role: accountRoles.role }).from(accountRoles).where(eq(accountRoles.did, did)).all()).map((r) => r.role);

export class AccountDeletionService {
  constructor(private readonly deps: AccountDeletionDeps, private readonly now: () => number = Date.now) {}

  /**
   * Deletes `did`. `bySelf` (server.deleteAccount, 10 §5.3) skips the export rule: the holder decides.
   * Errors: 404 NotFound, 403 Forbidden (admin target), 409 AccountOwnsCommunities, 409 ExportRequired.
   */
  async delete(did: string, by: { actorDid: string; bySelf: boolean; inTx?: (tx: Tx) => Promise<void> }): Promise<void> {
    const { db, accounts: accts, communities, tombstones, repo } = this.deps;
    const row = await accts.getRow(did);
    if (!row || row.status === "creating") throw notFound("Account not found");
    const check = async (orm: Orm, roles: string[], current: typeof row, headRev: string | undefined) => {
      if (roles.includes("admin")) throw forbidden("An admin account cannot be deleted; remove the admin role first");
      const owned = await communities.ownedBy(orm, did);
      if (owned.length) throw accountOwnsCommunities(owned);
      if (!by.bySelf && !accountExportRuleSatisfied(current, headRev, { now: this.now(), graceDays: this.deps.graceDays })) throw accountExportRequired();
    };
    await check(db.orm, await rolesOf(db.orm, did), row, (await repo.head(did))?.rev);
    // asked before the transaction (a network call); the outbox worker asks again before it submits anything
    const tombstone = await tombstones.shouldQueue(did);
    const handle = accts.handleOf(row);
    await db.transaction(async (tx) => {
      // again inside the transaction: a role grant, an ownership transfer to this account or a new commit may have
      // landed since the checks above, and nothing can land between these and the commit
      const current = await tx.orm.select().from(accounts).where(eq(accounts.did, did)).get();
      if (!current) throw notFound("Account not found");
      await check(tx.orm, await rolesOf(tx.orm, did), current, (await headCommitInTx(tx, did))?.rev);
      // server.deleteAccount uses its mailed token here, so a refused deletion keeps it (10 §5.3)
      await by.inTx?.(tx);
      await this.purgeInTx(tx, did, tombstone);
      await this.deps.audit.writeInTx(tx, {
        action: "account.delete", actorType: "account", actorDid: by.actorDid, targetDid: did,
        meta: { did, handle, bySelf: by.bySelf, previousStatus: current.status },
      });
    }, { lockKey: did });
  }

  /** Every effect of 06 §1 but the audit row, in order; the #account event goes out before the row goes. */
  private async purgeInTx(tx: Tx, did: string, tombstone: boolean): Promise<void> {
    const { communities, sessions, blobs, sequencer } = this.deps;
    await communities.removeEverywhereInTx(tx, did);
    await sessions.deleteAllInTx(tx, did);
    await tx.orm.delete(accountRoles).where(eq(accountRoles.did, did)).run();
    await tx.orm.delete(externalKeys).where(eq(externalKeys.did, did)).run();
    for (const hook of this.deps.cleanupInTx ?? []) await hook(tx, did);
    await blobs.deleteRepoBlobsInTx(tx, did);
    await purgeRepoAndIdentityInTx(this.deps, tx, did, tombstone ? "account" : null);
    await sequencer.accountInTx(tx, did, false, "deleted");
    await tx.orm.delete(accounts).where(eq(accounts.did, did)).run();
  }
}
