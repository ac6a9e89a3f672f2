// Attestations (spec 05 §8): issueAttestation, deleteAttestation (revocation = a signed delete commit) and
// listAttestations (filters in SQL on the community_attestations projection, then keyset paging by rkey).
// verifyAttestation lives in ./attestation-verify.ts.
import { and, desc, eq, gt, isNull, lt, or } from "drizzle-orm";
import { TID } from "@atproto/common-web";
import type { Database, Orm } from "../db/database.ts";
import type { AuthResult } from "../caller.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { Clock } from "../util/clock.ts";
import { DomainError, invalidRequest } from "../errors.ts";
import { isAtDatetime } from "../lexicon/formats.ts";
import { records } from "../repo/schema.ts";
import { COL } from "./permissions.ts";
import { authorizeCommunityWrite, callerDid, communityStatusGate, isStaff, membershipOf, requirePermission, resolveCommunity, type GateCtx } from "./gate.ts";
import { communityNotFound, communityPrivate } from "./errors.ts";
import { actorDid, type RemoteMembers } from "./remote.ts";
import { checkClaim } from "./claim.ts";
import { recordOn } from "./roles.ts";
import { communityAttestations } from "./attestation-schema.ts";
import { memberNotFound } from "./membership-errors.ts";
import type { CommunityService } from "./service.ts";

export const ATTESTATION_TYPES = ["membership", "role", "credential"] as const;
export type AttestationType = (typeof ATTESTATION_TYPES)[number];
const MAX_REASON = 1000;

export const attestationNotFound = () => new DomainError("notFound", "AttestationNotFound", "Attestation not found");
const subjectNotMember = () => memberNotFound("The subject is not a member of this community");

export interface AttestationDeps extends GateCtx {
  db: Database;
  communities: Pick<CommunityService, "getRow" | "writer" | "accountHandle">;
  remote: Pick<RemoteMembers, "actor">;
  audit: Pick<AuditLog, "writeInTx">;
  now: Clock;
}

export interface IssueInput {
  subjectDid: string;
  type: string;
  claim: unknown;
  expiresAt?: string;
}

/** The view of one attestation record (listAttestations, verifyAttestation). */
export interface AttestationView {
  uri: string;
  rkey: string;
  cid: string;
  subjectDid: string;
  subjectHandle: string;
  type: string;
  claim: unknown;
  issuedAt: string;
  expiresAt?: string;
  issuedBy: string;
  expired: boolean;
}

export function attestationView(communityDid: string, rkey: string, cid: string, value: Record<string, unknown>, nowMs: number): AttestationView {
  const expiresAt = typeof value.expiresAt === "string" ? value.expiresAt : undefined;
  return {
    uri: `at://${communityDid}/${COL.attestation}/${rkey}`,
    rkey,
    cid,
    subjectDid: String(value.subjectDid),
    subjectHandle: String(value.subjectHandle),
    type: String(value.type),
    claim: value.claim,
    issuedAt: String(value.issuedAt),
    ...(expiresAt ? { expiresAt } : {}),
    issuedBy: String(value.issuedBy),
    expired: expiresAt !== undefined && Date.parse(expiresAt) <= nowMs,
  };
}

/** `expiresAt`: an AT datetime strictly in the future (server clock), normalised to toISOString; else 400. */
function checkExpiresAt(value: string | undefined, nowMs: number): string | undefined {
  if (value === undefined) return undefined;
  if (!isAtDatetime(value)) throw invalidRequest("expiresAt must be a datetime (e.g. 2030-01-01T00:00:00Z)");
  const at = Date.parse(value);
  if (!(at > nowMs)) throw invalidRequest("expiresAt must be in the future");
  return new Date(at).toISOString();
}

export class AttestationService {
  constructor(private readonly deps: AttestationDeps) {}

  /** The subject's CURRENT full handle: the local account's, else the remote member's verified one (04 §9). */
  private async subjectHandle(did: string): Promise<string> {
    const local = await this.deps.communities.accountHandle(did);
    return local !== "handle.invalid" ? local : (await this.deps.remote.actor(did)).handle;
  }

  async issue(identifier: string, auth: AuthResult, input: IssueInput): Promise<{ uri: string; cid: string; rkey: string }> {
    const PERM = "community.attestation.write" as const;
    const { deps } = this;
    const me = actorDid(auth);
    const nowMs = deps.now();
    const { community } = await authorizeCommunityWrite(deps, identifier, me, PERM);
    if (!(ATTESTATION_TYPES as readonly string[]).includes(input.type)) throw invalidRequest(`type must be one of ${ATTESTATION_TYPES.join(", ")}`);
    const claim = checkClaim(input.claim);
    const expiresAt = checkExpiresAt(input.expiresAt, nowMs);
    if (!(await membershipOf(deps.db.orm, community, input.subjectDid))) throw subjectNotMember();
    const rkey = TID.nextStr();
    const record = {
      $type: COL.attestation, subjectDid: input.subjectDid, subjectHandle: await this.subjectHandle(input.subjectDid),
      type: input.type, claim, issuedAt: new Date(nowMs).toISOString(), ...(expiresAt ? { expiresAt } : {}), issuedBy: me,
    };
    const result = await deps.communities.writer.write(community.did, [{ action: "create", collection: COL.attestation, rkey, record, swapRecord: null }], {
      inTx: async (tx) => {
        // status, the issuer's permission and the subject's membership may have changed since the gate ran
        const row = await deps.communities.getRow(community.did, tx.orm);
        if (!row) throw communityNotFound();
        communityStatusGate(row, { write: true });
        await requirePermission(deps, row, me, PERM, tx.orm);
        if (!(await membershipOf(tx.orm, row, input.subjectDid))) throw subjectNotMember();
        await deps.audit.writeInTx(tx, { action: "community.issueAttestation", actorType: "account", actorDid: me, targetDid: row.did, targetId: rkey, meta: { subjectDid: input.subjectDid, type: input.type, rkey } });
      },
    });
    const item = result.results[0]!;
    return { uri: item.uri, cid: item.action !== "delete" ? item.cid : "", rkey };
  }

  /** Revocation: a signed delete of the record, swapped on its CID; who and why go to the audit log. */
  async delete(identifier: string, auth: AuthResult, rkey: string, reasonIn?: string): Promise<{ success: true }> {
    const PERM = "community.attestation.delete" as const;
    const { deps } = this;
    const me = actorDid(auth);
    const reason = reasonIn === undefined || reasonIn === "" ? undefined : reasonIn;
    if (reason !== undefined && [...reason].length > MAX_REASON) throw invalidRequest(`reason must be at most ${MAX_REASON} characters`);
    const { community } = await authorizeCommunityWrite(deps, identifier, me, PERM);
    const current = await recordOn(deps.db.orm, community.did, COL.attestation, rkey);
    if (!current) throw attestationNotFound();
    try {
      await deps.communities.writer.write(community.did, [{ action: "delete", collection: COL.attestation, rkey, swapRecord: current.cid }], {
        inTx: async (tx) => {
          const row = await deps.communities.getRow(community.did, tx.orm);
          if (!row) throw communityNotFound();
          communityStatusGate(row, { write: true });
          await requirePermission(deps, row, me, PERM, tx.orm);
          await deps.audit.writeInTx(tx, {
            action: "community.deleteAttestation", actorType: "account", actorDid: me, targetDid: row.did, targetId: rkey,
            meta: { rkey, subjectDid: current.value.subjectDid, type: current.value.type, reason: reason ?? null },
          });
        },
      });
    } catch (err) {
      // revoked concurrently: the record is gone (records are never rewritten in place)
      if (err instanceof DomainError && err.error === "InvalidSwap") throw attestationNotFound();
      throw err;
    }
    return { success: true };
  }

  /** Newest first; subject, type and expiry filters in SQL before the page is cut (no short pages). */
  async list(identifier: string, auth: AuthResult, params: { subjectDid?: string; type?: string; includeExpired: boolean; limit: number; cursor?: string }) {
    const { db } = this.deps;
    const c = await resolveCommunity(this.deps, identifier);
    const me = callerDid(auth);
    const staff = isStaff(auth);
    communityStatusGate(c, { write: false, bypass: staff || me === c.ownerDid });
    if (c.visibility === "private" && !staff && !(me && (await membershipOf(db.orm, c, me)))) throw communityPrivate();
    const nowMs = this.deps.now();
    const rows = await listRows(db.orm, c.did, params, new Date(nowMs).toISOString());
    const shown = rows.slice(0, params.limit);
    return {
      attestations: shown.map((r) => attestationView(c.did, r.rkey, r.cid, JSON.parse(r.value) as Record<string, unknown>, nowMs)),
      ...(rows.length > params.limit && shown.length ? { cursor: shown[shown.length - 1]!.rkey } : {}),
    };
  }
}

function listRows(orm: Orm, did: string, p: { subjectDid?: string; type?: string; includeExpired: boolean; limit: number; cursor?: string }, nowIso: string) {
  const A = communityAttestations;
  return orm
    .select({ rkey: A.rkey, cid: records.cid, value: records.value })
    .from(A)
    .innerJoin(records, and(eq(records.did, A.communityDid), eq(records.collection, COL.attestation), eq(records.rkey, A.rkey)))
    .where(and(
      eq(A.communityDid, did),
      p.subjectDid ? eq(A.subjectDid, p.subjectDid) : undefined,
      p.type ? eq(A.type, p.type) : undefined,
      // ISO strings written by toISOString sort like the instants they name
      p.includeExpired ? undefined : or(isNull(A.expiresAt), gt(A.expiresAt, nowIso)),
      p.cursor ? lt(A.rkey, p.cursor) : undefined,
    ))
    .orderBy(desc(A.rkey))
    .limit(p.limit + 1)
    .all();
}
