// Governance rules without I/O (spec 05 §4-§5): config defaults and validation, the protected set, the tally and decision.
import { invalidRequest } from "../errors.ts";
import { COL } from "./permissions.ts";

export const NS = "net.openfederation.community.";
export type GovernanceModel = "benevolent-dictator" | "simple-majority";
export interface GovernanceConfig {
  quorum: number;
  voterRole?: string;
  protectedCollections?: string[];
  proposalTtlDays: number;
}
export const DEFAULT_QUORUM = 3;
export const DEFAULT_TTL_DAYS = 7;
export const MAX_OPEN_PROPOSALS = 20;
export const MAX_AMENDMENTS = 10;

/** Mandatory members of every protected set (05 §4). */
const MANDATORY = [COL.settings, COL.role];
/** Community collections that may never be listed: operational (member) or the governance machinery itself. */
const NOT_LISTABLE = new Set<string>([COL.member, COL.proposal, COL.delegation, COL.settings, COL.role]);
const NSID_RE = /^[a-zA-Z]([a-zA-Z0-9-]{0,62})?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,62})?)+$/;

const expand = (name: string) => (name.includes(".") ? name : `${NS}${name}`);

/** The model of a settings record (absent → benevolent-dictator). */
export const modelOf = (settings: unknown): GovernanceModel =>
  (settings as { governanceModel?: unknown } | undefined)?.governanceModel === "simple-majority" ? "simple-majority" : "benevolent-dictator";

/** The stored config with its defaults filled in. */
export function configOf(settings: unknown): GovernanceConfig {
  const c = ((settings as { governanceConfig?: unknown } | undefined)?.governanceConfig ?? {}) as Partial<GovernanceConfig>;
  return {
    quorum: typeof c.quorum === "number" ? c.quorum : DEFAULT_QUORUM,
    ...(typeof c.voterRole === "string" ? { voterRole: c.voterRole } : {}),
    ...(Array.isArray(c.protectedCollections) ? { protectedCollections: c.protectedCollections } : {}),
    proposalTtlDays: typeof c.proposalTtlDays === "number" ? c.proposalTtlDays : DEFAULT_TTL_DAYS,
  };
}

/** The protected collection NSIDs (05 §4): mandatory + profile + attestation when none are listed, else listed + mandatory. */
export function protectedSet(cfg: Pick<GovernanceConfig, "protectedCollections">): Set<string> {
  const listed = (cfg.protectedCollections ?? []).map(expand);
  return new Set([...MANDATORY, ...(listed.length ? listed : [COL.profile, COL.attestation])]);
}

/**
 * Validates a requested config (05 §4), fills the defaults, normalises short names. `roleGrantsGovernance` answers
 * whether a role rkey exists and grants community.governance.write.
 */
export function validateConfig(input: Record<string, unknown> | undefined, roleGrantsGovernance: (rkey: string) => boolean | undefined): GovernanceConfig {
  const c = input ?? {};
  for (const k of Object.keys(c)) if (!["quorum", "voterRole", "protectedCollections", "proposalTtlDays"].includes(k)) throw invalidRequest(`Unknown governanceConfig field: ${k}`);
  const quorum = c.quorum ?? DEFAULT_QUORUM;
  if (!Number.isInteger(quorum) || (quorum as number) < 1 || (quorum as number) > 1000) throw invalidRequest("quorum must be an integer from 1 to 1000");
  const ttl = c.proposalTtlDays ?? DEFAULT_TTL_DAYS;
  if (!Number.isInteger(ttl) || (ttl as number) < 1 || (ttl as number) > 90) throw invalidRequest("proposalTtlDays must be an integer from 1 to 90");
  const out: GovernanceConfig = { quorum: quorum as number, proposalTtlDays: ttl as number };
  if (c.voterRole !== undefined) {
    if (typeof c.voterRole !== "string" || !c.voterRole) throw invalidRequest("voterRole must be a role rkey");
    const grants = roleGrantsGovernance(c.voterRole);
    if (grants === undefined) throw invalidRequest(`voterRole ${c.voterRole} does not exist`);
    if (!grants) throw invalidRequest(`voterRole ${c.voterRole} does not grant community.governance.write`);
    out.voterRole = c.voterRole;
  }
  if (c.protectedCollections !== undefined) {
    if (!Array.isArray(c.protectedCollections) || c.protectedCollections.some((x) => typeof x !== "string")) throw invalidRequest("protectedCollections must be an array of NSIDs or short names");
    const list: string[] = [];
    for (const raw of c.protectedCollections as string[]) {
      const nsid = expand(raw);
      if (NOT_LISTABLE.has(nsid)) {
        if (nsid === COL.settings || nsid === COL.role) continue; // always protected: listing them changes nothing
        throw invalidRequest(`${raw} cannot be protected (operational or governance machinery)`);
      }
      if (nsid.startsWith(NS) && nsid !== COL.profile && nsid !== COL.attestation) throw invalidRequest(`${raw} is not a protectable collection`);
      if (!NSID_RE.test(nsid)) throw invalidRequest(`${raw} is not an NSID`);
      if (!list.includes(nsid)) list.push(nsid);
    }
    if (list.length > 50) throw invalidRequest("At most 50 protected collections");
    out.protectedCollections = list;
  }
  return out;
}

export const sameConfig = (a: GovernanceConfig, b: GovernanceConfig) =>
  a.quorum === b.quorum && a.proposalTtlDays === b.proposalTtlDays && (a.voterRole ?? null) === (b.voterRole ?? null) &&
  JSON.stringify(a.protectedCollections ?? null) === JSON.stringify(b.protectedCollections ?? null);

export interface Tally {
  for: number;
  against: number;
  delegatedFor: number;
  delegatedAgainst: number;
  eligible: number;
  quorum: number;
  effectiveQuorum: number;
}

/**
 * §5 tally: eligible direct votes, plus 1 per eligible delegator without a direct vote whose delegate voted
 * directly (one hop: the delegate's own delegation is never followed).
 */
export function tally(eligible: ReadonlySet<string>, votesFor: readonly string[], votesAgainst: readonly string[], delegations: ReadonlyMap<string, string>, quorum: number): Tally {
  const f = new Set(votesFor.filter((d) => eligible.has(d)));
  const a = new Set(votesAgainst.filter((d) => eligible.has(d)));
  let df = 0;
  let da = 0;
  for (const [delegator, delegate] of delegations) {
    if (!eligible.has(delegator) || f.has(delegator) || a.has(delegator) || !eligible.has(delegate)) continue;
    if (f.has(delegate)) df++;
    else if (a.has(delegate)) da++;
  }
  return { for: f.size + df, against: a.size + da, delegatedFor: df, delegatedAgainst: da, eligible: eligible.size, quorum, effectiveQuorum: Math.min(quorum, eligible.size) };
}

/** §5 decision: approved / rejected early, or at expiry approved / rejected / expired; null = still open. */
export function decide(t: Tally, expired: boolean): "approved" | "rejected" | "expired" | null {
  const participation = t.for + t.against;
  const quorate = participation >= t.effectiveQuorum;
  if (quorate && t.for > t.eligible / 2) return "approved";
  if (t.against >= t.eligible / 2 && t.eligible > 0) return "rejected";
  if (!expired) return null;
  if (!quorate) return "expired";
  return t.for > t.against ? "approved" : "rejected";
}
