// com.atproto.admin.update/getSubjectStatus (06 §1): the repoRef subject → account moderation (T8-T11) or, for a
// community hosted here, the community moderation of 04 §6; answers in the admin statusAttr shape + accountStatus.
import { forbidden, invalidRequest, notFound } from "../errors.ts";
import type { AccountService } from "./account-service.ts";
import type { AccountModerationService, ModeratorActor } from "./moderation.ts";

export const REPO_REF = "com.atproto.admin.defs#repoRef";
/** `ref` (the reason) limit, in characters (06 §1). */
export const MAX_REF = 1000;

export interface StatusAttr {
  applied: boolean;
  ref?: string;
}

export interface SubjectStatusInput {
  subject: { $type?: string; did?: unknown };
  takedown?: StatusAttr;
  deactivated?: StatusAttr;
}

export interface SubjectStatusView {
  subject: { $type: typeof REPO_REF; did: string };
  takedown: StatusAttr;
  deactivated: StatusAttr;
  /** the ofpds status (01 §2 for accounts, 04 §3 for communities): what `deactivated.applied` leaves ambiguous */
  accountStatus: string;
  statusChangedAt?: string;
}

/** The community side, plugged in by the composition root (the account layer does not import the community layer). */
export interface CommunitySubjects {
  /** A community hosted here with this DID (any visible status), or undefined. */
  find(did: string): Promise<{ status: string; statusReason: string | null; statusChangedAt: string | null } | undefined>;
  suspend(did: string, actorDid: string, reason?: string): Promise<unknown>;
  unsuspend(did: string, actorDid: string): Promise<unknown>;
  takedown(did: string, actorDid: string, reason?: string): Promise<unknown>;
  untakedown(did: string, actorDid: string): Promise<unknown>;
}

export interface SubjectStatusDeps {
  accounts: Pick<AccountService, "getRow">;
  moderation: Pick<AccountModerationService, "suspend" | "unsuspend" | "takedown" | "untakedown">;
  communities: CommunitySubjects;
}

const unsupportedSubject = () => invalidRequest("unsupported subject: only com.atproto.admin.defs#repoRef (an account or community DID) is supported");
/** Statuses reported as `deactivated.applied` (06 §1): every inactive status short of a takedown. */
const DEACTIVATED_LIKE = ["suspended", "deactivated", "disabled"];

type Change = { kind: "deactivated" | "takedown"; applied: boolean; reason?: string };

/** The input rules, in the order 06 §1 gives them: subject type, exactly one attribute, the reason's length. */
function parseChange(input: SubjectStatusInput): { did: string; change: Change } {
  if (input.subject?.$type !== REPO_REF || typeof input.subject.did !== "string") throw unsupportedSubject();
  const given = (["deactivated", "takedown"] as const).filter((k) => input[k] !== undefined);
  if (given.length !== 1) throw invalidRequest("Give exactly one of deactivated or takedown");
  const kind = given[0]!;
  const attr = input[kind]!;
  const reason = attr.ref === undefined || attr.ref === "" ? undefined : attr.ref;
  if (reason !== undefined && [...reason].length > MAX_REF) throw invalidRequest(`ref must be at most ${MAX_REF} characters`);
  return { did: input.subject.did, change: { kind, applied: attr.applied, reason } };
}

export function subjectView(did: string, status: string, reason: string | null, changedAt?: string | null): SubjectStatusView {
  const takenDown = status === "takendown";
  const deactivated = DEACTIVATED_LIKE.includes(status);
  const ref = reason ?? undefined;
  return {
    subject: { $type: REPO_REF, did },
    takedown: { applied: takenDown, ...(takenDown && ref ? { ref } : {}) },
    deactivated: { applied: deactivated, ...(deactivated && ref ? { ref } : {}) },
    accountStatus: status,
    ...(changedAt ? { statusChangedAt: changedAt } : {}),
  };
}

export class SubjectStatusService {
  constructor(private readonly deps: SubjectStatusDeps) {}

  /** getSubjectStatus: the account's (or community's) status; creating and rejected accounts are not found. */
  async get(did: string): Promise<SubjectStatusView> {
    const row = await this.deps.accounts.getRow(did);
    if (row && row.status !== "creating" && row.status !== "rejected") return subjectView(did, row.status, row.statusReason, row.statusChangedAt);
    const c = await this.deps.communities.find(did);
    if (c) return subjectView(did, c.status, c.statusReason, c.statusChangedAt);
    throw notFound("Subject not found");
  }

  /** updateSubjectStatus: one transition, then the subject's status as it is now. */
  async update(actor: ModeratorActor, input: SubjectStatusInput): Promise<Omit<SubjectStatusView, "statusChangedAt">> {
    const { did, change } = parseChange(input);
    const admin = actor.roles.includes("admin");
    // before any lookup, so a moderator learns nothing about the subject from this answer (06 §1)
    if (change.kind === "takedown" && !admin) throw forbidden("Only an admin may take down or restore a subject");
    const row = await this.deps.accounts.getRow(did);
    if (!row || row.status === "creating" || row.status === "rejected") {
      if (!(await this.deps.communities.find(did))) throw notFound("Subject not found");
      if (!admin) throw forbidden("Only an admin may moderate a community");
      await this.applyToCommunity(did, actor.did, change);
    } else {
      await this.applyToAccount(actor, did, change);
    }
    const { statusChangedAt: _at, ...view } = await this.get(did);
    return view;
  }

  private applyToAccount(actor: ModeratorActor, did: string, c: Change): Promise<unknown> {
    const m = this.deps.moderation;
    if (c.kind === "deactivated") return c.applied ? m.suspend(actor, did, c.reason) : m.unsuspend(actor, did);
    return c.applied ? m.takedown(actor, did, c.reason) : m.untakedown(actor, did);
  }

  private applyToCommunity(did: string, actorDid: string, c: Change): Promise<unknown> {
    const m = this.deps.communities;
    if (c.kind === "deactivated") return c.applied ? m.suspend(did, actorDid, c.reason) : m.unsuspend(did, actorDid);
    return c.applied ? m.takedown(did, actorDid, c.reason) : m.untakedown(did, actorDid);
  }
}
