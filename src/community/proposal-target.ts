// What a proposal may target and how its change is checked and applied (spec 05 §5-§6): the target method's own
// invariants run at creation/amendment (the content must pass) and again at approval (re-validated on the state
// the applying commit builds on). Role changes reuse the role plans of ./roles.ts with the proposal actor.
import type { Orm, Tx } from "../db/database.ts";
import type { WriteOp } from "../repo/service.ts";
import { prepareRecord } from "../repo/records.ts";
import { DomainError, invalidRequest } from "../errors.ts";
import type { CommunityRow } from "./schema.ts";
import { COL } from "./permissions.ts";
import { planCreateRole, planDeleteRole, planMemberRole, planUpdateRole, recordOn } from "./roles.ts";
import { configOf, modelOf, NS, protectedSet, validateConfig } from "./governance-rules.ts";
import type { GovernanceDeps } from "./governance-deps.ts";

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === "object" && v !== null && !Array.isArray(v);

export interface ProposalTarget {
  targetCollection: string;
  targetRkey: string;
  action: "write" | "delete";
  proposedRecord?: unknown;
}

/** The change an approved proposal makes: its ops, extra audit rows, checks and side effects in the commit transaction. */
export interface TargetPlan {
  ops: WriteOp[];
  audits: Array<{ action: string; meta: Record<string, unknown> }>;
  inTx?: (tx: Tx) => Promise<void>;
  /** the settings change leaves simple-majority: every other open proposal fails in the same commit */
  leavesSimpleMajority?: boolean;
}

export const expandCollection = (c: string) => (c.includes(".") ? c : `${NS}${c}`);

/** Shape checks of the inputs (createProposal / amendProposal), before any state is read. */
export function checkTargetShape(t: ProposalTarget): void {
  if (t.action !== "write" && t.action !== "delete") throw invalidRequest("action must be write or delete");
  if (t.action === "write" && t.proposedRecord === undefined) throw invalidRequest("proposedRecord is required for a write proposal");
  if (t.action === "delete" && t.proposedRecord !== undefined) throw invalidRequest("proposedRecord is forbidden for a delete proposal");
  if (t.action === "write" && !isRec(t.proposedRecord)) throw invalidRequest("proposedRecord must be an object");
  if (!t.targetRkey || t.targetRkey.length > 512) throw invalidRequest("targetRkey is required");
}

/** Lexicon validation of the proposed record as the repo would do it (3 §2); known collections must be valid. */
async function assertValidRecord(deps: GovernanceDeps, collection: string, record: unknown): Promise<Rec> {
  const rec = { ...(record as Rec), $type: collection };
  await prepareRecord(deps.lexicons, collection, rec, undefined);
  return rec;
}

/**
 * Validates the target against the community's state on `orm` and returns the plan that applies it. Throws a
 * DomainError (400 InvalidRequest, RoleNotFound, CannotChangeOwner…) when the change is not allowed. `rkey` is the
 * proposal's own rkey (excluded from "other open proposals").
 */
export async function planTarget(deps: GovernanceDeps, orm: Orm, c: CommunityRow, t: ProposalTarget): Promise<TargetPlan> {
  const settings = (await recordOn(orm, c.did, COL.settings, "self"))?.value;
  const col = t.targetCollection;
  const current = await recordOn(orm, c.did, col, t.targetRkey);
  if (col === COL.member) return planAssignment(orm, c, t, current?.value);
  if (!protectedSet(configOf(settings)).has(col)) throw invalidRequest(`${col} is not a protected collection of this community`);
  if (t.action === "delete" && !current) throw invalidRequest(`${col}/${t.targetRkey} does not exist`);
  if (col === COL.settings || col === COL.profile) {
    if (t.targetRkey !== "self") throw invalidRequest(`${col} has the single record self`);
    if (t.action === "delete") throw invalidRequest(`${col}/self cannot be deleted`);
  }
  const proposed = t.action === "write" ? await assertValidRecord(deps, col, t.proposedRecord) : undefined;
  const swap = current?.cid ?? null;
  switch (col) {
    case COL.settings:
      return await planSettings(deps, orm, c, settings ?? {}, proposed!, swap);
    case COL.profile: {
      const name = proposed!.displayName;
      if (typeof name !== "string" || [...name].length < 1 || [...name].length > 64) throw invalidRequest("displayName must be 1-64 characters");
      if (typeof proposed!.description === "string" && [...proposed!.description].length > 2000) throw invalidRequest("description must be at most 2000 characters");
      return { ops: [{ action: "update", collection: col, rkey: "self", record: proposed, swapRecord: swap }], audits: [] };
    }
    case COL.role: {
      const plan = t.action === "delete"
        ? await planDeleteRole(orm, c, t.targetRkey, { kind: "proposal" })
        : current
          ? await planUpdateRole(orm, c, { rkey: t.targetRkey, name: proposed!.name as string, description: (proposed!.description as string | undefined) ?? "", permissions: proposed!.permissions }, { kind: "proposal" })
          : await planCreateRole(orm, c, { name: proposed!.name as string, description: proposed!.description as string | undefined, permissions: proposed!.permissions }, { kind: "proposal" }, t.targetRkey);
      return { ops: plan.ops, audits: [plan.audit], inTx: (tx) => plan.recheckInTx(tx) };
    }
    default:
      // attestations and custom collections: the record as proposed (validated against its lexicon when known);
      // an attestation's subject must be a member, as issueAttestation requires
      if (col === COL.attestation && proposed && !(await recordOn(orm, c.did, COL.member, String(proposed.subjectDid)))) {
        throw new DomainError("notFound", "NotMember", "The attestation's subject is not a member of this community");
      }
      return {
        ops: [t.action === "delete"
          ? { action: "delete", collection: col, rkey: t.targetRkey, swapRecord: swap }
          : { action: "put", collection: col, rkey: t.targetRkey, record: proposed, swapRecord: swap }],
        audits: [],
      };
  }
}

/** A role assignment: `member/<did>`, write, the proposed record differs from the member record only in roleRkey. */
async function planAssignment(orm: Orm, c: CommunityRow, t: ProposalTarget, current: Rec | undefined): Promise<TargetPlan> {
  if (t.action !== "write") throw invalidRequest("A role-assignment proposal is a write of the member record");
  if (!current) throw new DomainError("notFound", "NotMember", "Not a member of this community");
  const proposed = t.proposedRecord as Rec;
  const keys = new Set([...Object.keys(current), ...Object.keys(proposed)].filter((k) => k !== "$type" && k !== "roleRkey"));
  for (const k of keys) if (JSON.stringify(current[k]) !== JSON.stringify(proposed[k])) throw invalidRequest(`A role-assignment proposal may change only roleRkey (${k} differs)`);
  if (typeof proposed.roleRkey !== "string" || proposed.roleRkey === current.roleRkey) throw invalidRequest("A role-assignment proposal must change roleRkey");
  const plan = await planMemberRole(orm, c, t.targetRkey, proposed.roleRkey, { kind: "proposal" });
  return { ops: plan.ops, audits: [plan.audit], inTx: (tx) => plan.recheckInTx(tx) };
}

/** settings/self: the invariants of update (private ⇒ approval) and setGovernanceModel (config rules); didMethod fixed. */
async function planSettings(deps: GovernanceDeps, orm: Orm, c: CommunityRow, current: Rec, proposed: Rec, swap: string | null): Promise<TargetPlan> {
  if (proposed.didMethod !== current.didMethod) throw invalidRequest("didMethod cannot change");
  if (proposed.visibility === "private" && proposed.joinPolicy === "open") throw invalidRequest("A private community must use the approval join policy");
  const model = modelOf(proposed);
  const next: Rec = { ...proposed };
  if (model === "simple-majority") {
    const config = isRec(proposed.governanceConfig) ? proposed.governanceConfig : undefined;
    next.governanceConfig = validateConfig(config, await roleGrantsFor(orm, c.did, config));
  } else if (proposed.governanceConfig !== undefined) {
    delete next.governanceConfig; // benevolent-dictator has no config
  }
  if (JSON.stringify({ ...next, $type: undefined }) === JSON.stringify({ ...current, $type: undefined })) throw invalidRequest("The proposed settings change nothing");
  const toPrivate = current.visibility === "public" && next.visibility === "private";
  const toPublic = current.visibility === "private" && next.visibility === "public";
  const modelChanged = modelOf(current) !== model;
  return {
    ops: [{ action: "update", collection: COL.settings, rkey: "self", record: next, swapRecord: swap }],
    audits: modelChanged || JSON.stringify(current.governanceConfig) !== JSON.stringify(next.governanceConfig)
      ? [{ action: "community.governance.setModel", meta: { previousModel: modelOf(current), newModel: model, governanceConfig: next.governanceConfig ?? null } }]
      : [],
    leavesSimpleMajority: modelOf(current) === "simple-majority" && model !== "simple-majority",
    // the visibility switch's firehose effects, as community.update does them (04 §4)
    inTx: async (tx) => {
      const row = await deps.communities.getRow(c.did, tx.orm);
      if (!row) return;
      if (toPrivate && row.identityVerified && row.status !== "migrated") await deps.sequencer.accountInTx(tx, c.did, false, "deactivated");
      if (toPublic && row.identityVerified && (row.status === "active" || row.status === "suspended")) await deps.repo.announceInTx(tx, c.did, deps.communities.handleOf(row));
    },
  };
}

/** Whether role `rkey` exists (undefined when not) and grants community.governance.write. */
export async function roleGrants(orm: Orm, did: string, rkey: string): Promise<boolean | undefined> {
  const role = await recordOn(orm, did, COL.role, rkey);
  if (!role) return undefined;
  return Array.isArray(role.value.permissions) && role.value.permissions.includes("community.governance.write");
}

/**
 * roleGrants as the synchronous lookup validateConfig (a rule without I/O) takes: the only role it asks about is the
 * requested `voterRole`, so that one is read up front.
 */
export async function roleGrantsFor(orm: Orm, did: string, config: Record<string, unknown> | undefined): Promise<(rkey: string) => boolean | undefined> {
  const voterRole = config?.voterRole;
  if (typeof voterRole !== "string" || !voterRole) return () => undefined;
  const grants = await roleGrants(orm, did, voterRole);
  return (rkey) => (rkey === voterRole ? grants : undefined);
}
