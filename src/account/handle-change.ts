// Handle changes (02 §11, com.atproto.identity.updateHandle): PLC alsoKnownAs first, then name/handle, #identity and audit in one transaction.
import { and, eq, gt } from "drizzle-orm";
import { isValidHandle, isValidTld } from "@atproto/syntax";
import type { Config } from "../config/types.ts";
import type { Database } from "../db/database.ts";
import type { NameNamespacePort } from "../names/namespace.ts";
import type { Logger } from "../util/logger.ts";
import type { IdentityService } from "../identity/service.ts";
import type { HandleResolver } from "../identity/handle-resolver.ts";
import type { Sequencer } from "../sequencer/index.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import { auditLog } from "../audit/schema.ts";
import { DomainError, invalidRequest, invalidToken, notFound, rateLimitExceeded, upstreamFailure } from "../errors.ts";
import { nameProblem, normaliseName } from "./rules.ts";
import type { AccountService } from "./account-service.ts";

/** 5 handle changes per account per rolling 24 h, counted from the audit log (so it survives restarts). */
export const HANDLE_CHANGES_PER_DAY = 5;
const DAY_MS = 24 * 60 * 60_000;
const notAvailable = (message: string) => new DomainError("invalid", "HandleNotAvailable", message);

export interface HandleChangeDeps {
  config: Pick<Config, "handleDomain" | "hostname">;
  db: Database;
  accounts: AccountService;
  identity: Pick<IdentityService, "submitHandleUpdate">;
  handles: Pick<HandleResolver, "resolve" | "forget">;
  sequencer: Pick<Sequencer, "identityInTx">;
  audit: Pick<AuditLog, "writeInTx">;
  /** the name namespace shared with communities (01 §4), built at the composition root */
  names: NameNamespacePort;
  logger: Logger;
  now: () => number;
}

type Target = { handle: string; name: string } | { handle: string; externalHandle: true };

export class HandleChangeService {
  constructor(private readonly deps: HandleChangeDeps) {}

  /**
   * Moves `did` to `requested` (a bare name, a full local handle or an external domain). No-op when unchanged.
   * `staff`: com.atproto.admin.updateAccountHandle (10 §6) — the same rules for the target, no daily limit, audited
   * with the staff member as actor and `byStaff: true`.
   */
  async update(did: string, requested: string, staff?: { actorDid: string }): Promise<void> {
    const { accounts, handles, identity, sequencer, audit, db, logger } = this.deps;
    const row = await accounts.getRow(did);
    if (!row || (staff && (row.status === "creating" || row.status === "rejected"))) throw staff ? notFound("Account not found") : invalidToken();
    const oldHandle = accounts.handleOf(row);
    const target = this.parseTarget(requested);
    if (target.handle === oldHandle) return; // nothing to change: no PLC op, no event, not counted

    const holder = await accounts.lookupRow(target.handle);
    if (holder && holder.status !== "rejected" && holder.did !== did) throw notAvailable("Handle already taken");
    // Security: the name namespace is shared with communities (01 §4); a community's name is taken too
    if ("name" in target && (await this.deps.names.taken(db.orm, target.name, did))) throw notAvailable("Handle already taken");
    if ("externalHandle" in target && (await handles.resolve(target.handle, { fresh: true })) !== did) {
      throw notAvailable(`Handle does not resolve to your DID: publish did=${did} at _atproto.${target.handle} (DNS TXT) or https://${target.handle}/.well-known/atproto-did`);
    }
    if (!staff) await this.enforceDailyLimit(did);

    try {
      await identity.submitHandleUpdate(did, target.handle);
    } catch (err) {
      logger.warn("plc handle update failed", { did, err: err instanceof Error ? err.message : String(err) });
      throw upstreamFailure("PLC directory did not accept the handle change; nothing was changed");
    }

    const applied = await db.transaction(async (tx) => {
      // Why again: a community.create or another updateHandle may have taken the name while PLC was answering;
      // inside the write transaction nobody else can.
      if ("name" in target && (await this.deps.names.taken(tx.orm, target.name, did))) return false;
      const next = "name" in target ? { name: target.name } : { externalHandle: target.handle };
      if (!(await accounts.setHandleInTx(tx, did, next))) return false;
      await sequencer.identityInTx(tx, did, target.handle);
      await audit.writeInTx(tx, { action: "account.handle.update", actorType: "account", actorDid: staff?.actorDid ?? did, targetDid: did, meta: { old: oldHandle, new: target.handle, ...(staff ? { byStaff: true } : {}) } });
      return true;
    }, { lockKey: did });
    if (!applied) {
      // Taken between the check and the transaction (after PLC accepted): point PLC back at the old handle.
      await identity.submitHandleUpdate(did, oldHandle).catch((err) =>
        logger.error("reverting the PLC handle after a lost race failed", { did, err: err instanceof Error ? err.message : String(err) }),
      );
      throw notAvailable("Handle already taken");
    }
    handles.forget(oldHandle);
    handles.forget(target.handle);
  }

  /** Local name, full local handle, or an external domain; 400 InvalidRequest for syntax and reserved names. */
  private parseTarget(raw: string): Target {
    const { config } = this.deps;
    const domain = config.handleDomain.toLowerCase();
    const v = raw.trim().toLowerCase().replace(/\.$/, "");
    const local = !v.includes(".") || v.endsWith(`.${domain}`);
    if (local) {
      const name = normaliseName(v, domain);
      if (name.includes(".")) throw invalidRequest(`Handles under ${domain} have exactly one label before the domain`);
      const problem = nameProblem(name, domain);
      if (problem) throw invalidRequest(problem);
      return { handle: `${name}.${domain}`, name };
    }
    if (!isValidHandle(v)) throw invalidRequest("Handle is not a valid AT Protocol handle");
    if (!isValidTld(v)) throw invalidRequest("Handle uses a reserved top-level domain");
    if (v === domain || v === config.hostname.toLowerCase()) throw invalidRequest("Handle is reserved");
    return { handle: v, externalHandle: true };
  }

  private async enforceDailyLimit(did: string): Promise<void> {
    const now = this.deps.now();
    const since = new Date(now - DAY_MS).toISOString();
    const recent = await this.deps.db.orm
      .select({ at: auditLog.createdAt })
      .from(auditLog)
      // the holder's own changes only: a staff change (actor ≠ target) does not use up the holder's allowance
      .where(and(eq(auditLog.action, "account.handle.update"), eq(auditLog.targetDid, did), eq(auditLog.actorDid, did), gt(auditLog.createdAt, since)))
      .orderBy(auditLog.createdAt)
      .all();
    if (recent.length < HANDLE_CHANGES_PER_DAY) return;
    const retryAfterSec = Math.max(1, Math.ceil((Date.parse(recent[0]!.at) + DAY_MS - now) / 1000));
    throw rateLimitExceeded(retryAfterSec);
  }
}
