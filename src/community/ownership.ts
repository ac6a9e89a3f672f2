// transferOwnership within this server (spec 04 §7): one commit swapping the two member records, ownerDid in the
// same transaction, and optionally a PLC update giving rotationKeys[0] to the new owner.
import { and, eq } from "drizzle-orm";
import type { Database } from "../db/database.ts";
import type { Logger } from "../util/logger.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { Sequencer } from "../sequencer/index.ts";
import type { IdentityService } from "../identity/service.ts";
import type { AccountService } from "../account/account-service.ts";
import type { RepoService } from "../repo/service.ts";
import { Lockout } from "../account/lockout.ts";
import { verifyPassword, dummyPasswordHash } from "../account/passwords.ts";
import { validateRotationKey } from "../identity/service.ts";
import type { WriteOp } from "../repo/service.ts";
import { DomainError, forbidden, invalidRequest } from "../errors.ts";
import { communities, communityRoles, type CommunityRow } from "./schema.ts";
import { communityStatusGate, membershipOf, resolveCommunity, type GateCtx } from "./gate.ts";
import { COL } from "./permissions.ts";
import type { CommunityService } from "./service.ts";

/** What an ownership transfer uses: the gate's lookups, accounts (owner, password), PLC, the writer, events, audit. */
export interface OwnershipDeps extends GateCtx {
  db: Database;
  accounts: Pick<AccountService, "getRow">;
  communities: Pick<CommunityService, "writer" | "getRow" | "handleOf">;
  identity: Pick<IdentityService, "submitRotationKeyUpdate">;
  repo: Pick<RepoService, "getRecord">;
  sequencer: Pick<Sequencer, "identityInTx">;
  audit: Pick<AuditLog, "writeInTx">;
  logger: Logger;
}

export interface TransferOwnershipInput {
  did: string;
  newOwnerDid: string;
  password?: string;
  previousOwnerRole?: string;
  newOwnerRotationKey?: string;
}
type Caller = { did: string; roles: readonly string[] };

const ORPHANING_STATUSES = new Set(["takendown", "disabled", "rejected"]);
const PLC_OVERRIDE_MESSAGE =
  "rotationKeys[0] of the community's DID is now the new owner's key. The previous owner's key can still override " +
  "this PLC update for 72 hours.";

export const newOwnerNotMember = () => new DomainError("notFound", "NotMember", "The new owner must be a member of the community");
const wrongPassword = () => new DomainError("auth", "Unauthorized", "Invalid password");
const plcFailed = () => new DomainError("upstream", "UpstreamFailure", "The PLC directory did not accept the rotation key update; nothing was changed");

/** The owner's account is gone, taken down or disabled: only then may an admin move ownership (04 §7). */
async function ownerIsOrphaned(deps: OwnershipDeps, c: CommunityRow): Promise<boolean> {
  const owner = await deps.accounts.getRow(c.ownerDid);
  return !owner || ORPHANING_STATUSES.has(owner.status);
}

/** Password re-check for the owner path; failures count toward the login lockout of the account (01 §9.4). */
async function verifyOwnerPassword(deps: OwnershipDeps, ownerDid: string, password: string | undefined): Promise<void> {
  const row = await deps.accounts.getRow(ownerDid);
  const lockout = new Lockout(deps.db);
  const key = `account:${ownerDid}`;
  const lockedFor = await lockout.lockedFor(key);
  if (lockedFor !== undefined)
    throw new DomainError("rateLimited", "AccountLocked", "Too many failed password attempts; try again later", { retryAfter: lockedFor }, lockedFor);
  const tooLong = password !== undefined && [...password].length > 256;
  const ok = password !== undefined && !tooLong && (await verifyPassword(password, row?.passwordHash ?? dummyPasswordHash()));
  if (!ok || !row) {
    await lockout.recordFailure(key);
    throw wrongPassword();
  }
}

async function transferOwnership(deps: OwnershipDeps, input: TransferOwnershipInput, caller: Caller) {
  const svc = deps.communities;
  const c = await resolveCommunity(deps, input.did);
  const isOwner = c.ownerDid === caller.did;
  const byAdmin = !isOwner;
  if (byAdmin && !caller.roles.includes("admin")) throw forbidden("Only the owner can transfer ownership");
  communityStatusGate(c, { write: true, action: "transferOwnership" });
  if (byAdmin && !(await ownerIsOrphaned(deps, c))) throw forbidden("An admin can transfer ownership only when the owner's account is deleted, taken down or disabled");
  if (byAdmin && input.newOwnerRotationKey !== undefined) throw invalidRequest("newOwnerRotationKey is for the owner path only");

  // the password first: nothing below is answered to a caller who does not hold it
  if (isOwner) await verifyOwnerPassword(deps, caller.did, input.password);
  const previousOwnerRole = input.previousOwnerRole ?? "moderator";
  if (previousOwnerRole === "owner") throw invalidRequest("previousOwnerRole cannot be owner");
  if (input.newOwnerDid === c.ownerDid) throw invalidRequest("The new owner is already the owner");
  const newKey = input.newOwnerRotationKey !== undefined ? validateRotationKey(input.newOwnerRotationKey) : undefined;
  if (newKey && c.didMethod !== "plc") throw invalidRequest("newOwnerRotationKey applies to did:plc communities only");
  if (!(await deps.db.orm.select().from(communityRoles).where(and(eq(communityRoles.communityDid, c.did), eq(communityRoles.rkey, previousOwnerRole))).get()))
    throw invalidRequest(`previousOwnerRole: no role ${previousOwnerRole} in this community`);
  if (!(await membershipOf(deps.db.orm, c, input.newOwnerDid))) throw newOwnerNotMember();
  const newOwner = await deps.accounts.getRow(input.newOwnerDid);
  if (!newOwner || newOwner.status !== "approved") throw invalidRequest("The new owner's account is not active");

  const ops = await memberOps(deps, c, input.newOwnerDid, previousOwnerRole);

  // PLC first (synchronous, 04 §7): if the directory refuses, nothing has changed locally
  let replacedKey: string | undefined;
  if (newKey) {
    try {
      replacedKey = await deps.identity.submitRotationKeyUpdate(c.did, newKey);
    } catch (err) {
      deps.logger.warn("community rotation key update failed", { did: c.did, err: err instanceof Error ? err.message : String(err) });
      throw plcFailed();
    }
  }
  const plcUpdated = !!newKey;
  try {
    await svc.writer.write(c.did, ops, {
      inTx: async (tx) => {
        // serialised with every other write: re-check what the checks above relied on
        const row = await svc.getRow(c.did, tx.orm);
        if (!row || row.ownerDid !== c.ownerDid) throw new DomainError("conflict", "InvalidSwap", "The community changed during the transfer; try again");
        communityStatusGate(row, { write: true, action: "transferOwnership" });
        await tx.orm.update(communities).set({ ownerDid: input.newOwnerDid }).where(eq(communities.did, c.did)).run();
        if (plcUpdated && row.visibility === "public") await deps.sequencer.identityInTx(tx, c.did, svc.handleOf(row));
        await deps.audit.writeInTx(tx, {
          action: "community.ownership.transfer", actorType: "account", actorDid: caller.did, targetDid: c.did,
          meta: { from: c.ownerDid, to: input.newOwnerDid, byAdmin, plcUpdated },
        });
      },
    });
  } catch (err) {
    if (newKey && replacedKey) {
      // the local commit failed after the directory accepted: give rotationKeys[0] back to the previous holder
      await deps.identity.submitRotationKeyUpdate(c.did, replacedKey).catch((e: unknown) =>
        deps.logger.error("reverting the community rotation key update failed", { did: c.did, err: String(e) }));
    }
    throw err;
  }
  return { did: c.did, ownerDid: input.newOwnerDid, previousOwnerRole, plcUpdated, ...(plcUpdated ? { message: PLC_OVERRIDE_MESSAGE } : {}) };
}

/** transferOwnership within this server (04 §7): the owner with their password, or an admin for an orphaned community. */
export class CommunityOwnershipService {
  constructor(private readonly deps: OwnershipDeps) {}

  transfer(input: TransferOwnershipInput, caller: Caller) {
    return transferOwnership(this.deps, input, caller);
  }
}

/** The two member record updates (swapRecord-guarded): new owner → owner, previous owner → previousOwnerRole. */
async function memberOps(deps: OwnershipDeps, c: CommunityRow, newOwnerDid: string, previousOwnerRole: string): Promise<WriteOp[]> {
  const repo = deps.repo;
  const next = await repo.getRecord(c.did, COL.member, newOwnerDid);
  if (!next) throw newOwnerNotMember();
  const ops: WriteOp[] = [
    { action: "update", collection: COL.member, rkey: newOwnerDid, record: { ...(next.value as object), roleRkey: "owner" }, swapRecord: next.cid },
  ];
  // an orphaned owner's member record may be gone (account deleted and left): then only the new owner's changes
  const prev = await repo.getRecord(c.did, COL.member, c.ownerDid);
  if (prev) ops.push({ action: "update", collection: COL.member, rkey: c.ownerDid, record: { ...(prev.value as object), roleRkey: previousOwnerRole }, swapRecord: prev.cid });
  return ops;
}
