// The ONE governance gate (spec 05 §4): under simple-majority every commit touching a protected collection of a
// community repo is refused with 403 GovernanceDenied, whichever path wrote it (community methods, the generic
// com.atproto.repo.* writes, applyWrites). Plugged into the repo layer as its RepoWriteGuard (src/services.ts).
import type { GuardRecordReader, RepoWriteGuard } from "../repo/write-guard.ts";
import type { WriteOp } from "../repo/service.ts";
import { COL } from "./permissions.ts";
import { configOf, modelOf, protectedSet } from "./governance-rules.ts";
import { governanceDenied } from "./governance-errors.ts";

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === "object" && v !== null;

/**
 * The collection an op governs under `protectedNsids`, or undefined. A member record whose `roleRkey` changes is a
 * role assignment (governed as the role collection) unless the owner role is involved: only transferOwnership
 * moves that role, and it is never governed (updateMemberRole refuses the owner role itself).
 */
async function governedBy(op: WriteOp, protectedNsids: Set<string>, read: GuardRecordReader): Promise<string | undefined> {
  if (protectedNsids.has(op.collection)) return op.collection;
  if (op.collection !== COL.member || op.action === "delete" || op.rkey === undefined) return undefined;
  const prev = await read(COL.member, op.rkey);
  const next = (op as { record?: unknown }).record;
  if (!isRec(prev) || !isRec(next) || prev.roleRkey === next.roleRkey) return undefined;
  return prev.roleRkey === "owner" || next.roleRkey === "owner" ? undefined : COL.role;
}

/**
 * Paths an approved proposal in this same commit authorises. This is how proposal application passes the gate by
 * construction: the commit must itself turn a currently `open` proposal record into `approved` (or create it
 * approved, when the proposer is the only voter), and only that
 * proposal's own target (`targetCollection/targetRkey`) is let through. Generic writes can never do this (the
 * proposal collection is managed), and a community method would have to write the approval into the repo.
 */
async function approvedTargets(ops: readonly WriteOp[], read: GuardRecordReader): Promise<Set<string>> {
  const out = new Set<string>();
  for (const op of ops) {
    if (op.collection !== COL.proposal || op.action === "delete" || op.rkey === undefined) continue;
    const next = (op as { record?: unknown }).record;
    const prev = await read(COL.proposal, op.rkey);
    if (!isRec(next) || next.status !== "approved") continue;
    // an open proposal approved now, or (|E| = 1) one created already approved in this commit
    if (prev !== undefined && (!isRec(prev) || prev.status !== "open" || next.targetCollection !== prev.targetCollection || next.targetRkey !== prev.targetRkey)) continue;
    if (prev === undefined && op.action === "update") continue;
    out.add(`${String(next.targetCollection)}/${String(next.targetRkey)}`);
  }
  return out;
}

export class CommunityGovernanceGuard implements RepoWriteGuard {
  async check(_did: string, opsOf: () => readonly WriteOp[], read: GuardRecordReader): Promise<void> {
    // every community repo holds settings/self; other repos (accounts) have none, and are never governed
    const settings = await read(COL.settings, "self");
    if (!isRec(settings) || modelOf(settings) !== "simple-majority") return;
    const protectedNsids = protectedSet(configOf(settings));
    const ops = opsOf();
    let allowed: Set<string> | undefined;
    let denied: string | undefined;
    for (const op of ops) {
      const target = await governedBy(op, protectedNsids, read);
      if (!target) continue;
      allowed ??= await approvedTargets(ops, read);
      if (op.rkey !== undefined && allowed.has(`${op.collection}/${op.rkey}`)) continue;
      // report settings first when a commit touches several governed collections (update: profile + settings)
      if (!denied || target === COL.settings) denied = target;
    }
    if (denied) throw governanceDenied(denied);
  }
}
