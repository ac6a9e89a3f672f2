// verifyAttestation (spec 05 §8). Local: the indexed record, the community's status and the expiry. Remote: trust no
// plain HTTP answer — resolve the DID document (#atproto_pds, #atproto), fetch com.atproto.sync.getRecord under the
// outbound fetch policy, verify the commit's DID and signature, walk the MST from commit.data to the key, check the
// record block's CID (readCarWithRoot verifies every block) and validate the record against its lexicon. Every outcome
// is a result, never an exception; remote results are cached 5 minutes per (communityDid, rkey) on the server clock.
import { MemoryBlockstore, Repo, readCarWithRoot, verifyCommitSig } from "@atproto/repo";
import type { Database } from "../db/database.ts";
import type { AuthResult } from "../caller.ts";
import type { Clock } from "../util/clock.ts";
import type { PlcClient, DidDocument } from "../identity/plc-client.ts";
import type { HandleResolver } from "../identity/handle-resolver.ts";
import { FetchRefusedError, type OutboundFetchPolicy } from "../identity/fetch-policy.ts";
import { atprotoKeyOf, pdsEndpointOf } from "../identity/service-auth.ts";
import type { LexiconRegistry } from "../lexicon/registry.ts";
import { recordToJson } from "../repo/records.ts";
import type { RepoService } from "../repo/service.ts";
import { invalidRequest } from "../errors.ts";
import { COL } from "./permissions.ts";
import { callerDid, findCommunity, isStaff, membershipOf, type GateCtx } from "./gate.ts";
import { fetchWebDidDocument } from "./did-web.ts";
import { getXrpcBytes } from "./attestation-fetch.ts";
import { attestationView, type AttestationView } from "./attestations.ts";
import { recordOn } from "./roles.ts";
import type { CommunityService } from "./service.ts";

export const VERIFY_CACHE_MS = 5 * 60_000;
const CACHE_MAX = 10_000;

export type VerifyReason = "not_found" | "expired" | "community_takendown" | "community_private" | "signature_invalid" | "resolution_failed" | "fetch_failed";

export interface VerifyResult {
  valid: boolean;
  reason?: VerifyReason;
  expired: boolean;
  remote: boolean;
  communityDid: string;
  communityHandle?: string;
  communityStatus?: string;
  attestation?: AttestationView;
  proof?: { commitCid: string; rev: string; verifiedAt: string };
  pdsUrl?: string;
}

export interface VerifyDeps extends GateCtx {
  db: Database;
  communities: Pick<CommunityService, "handleOf">;
  repo: Pick<RepoService, "head">;
  plc: Pick<PlcClient, "getDocument">;
  handles: Pick<HandleResolver, "resolve">;
  fetchPolicy: OutboundFetchPolicy;
  lexicons: LexiconRegistry;
  now: Clock;
}

const RKEY_RE = /^[A-Za-z0-9._:~-]{1,512}$/;
const DID_RE = /^did:[a-z]+:[A-Za-z0-9._:%-]{1,2040}$/;
const HANDLE_RE = /^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)*[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;

export class AttestationVerifier {
  private readonly cache = new Map<string, { at: number; result: VerifyResult }>();

  constructor(private readonly deps: VerifyDeps) {}

  async verify(identifier: string, rkey: string, auth: AuthResult): Promise<VerifyResult> {
    const id = identifier.trim();
    if (!RKEY_RE.test(rkey) || rkey === "." || rkey === "..") throw invalidRequest("rkey is not a valid record key");
    if (!DID_RE.test(id) && !HANDLE_RE.test(id)) throw invalidRequest("communityDid must be a DID or a handle");
    const local = await findCommunity(this.deps, id);
    if (local && local.status !== "migrated") return this.verifyLocal(local, rkey, auth);
    const did = local?.did ?? (id.startsWith("did:") ? id : await this.deps.handles.resolve(id).catch(() => null));
    if (!did) return { valid: false, reason: "resolution_failed", expired: false, remote: true, communityDid: id };
    const key = `${did} ${rkey}`;
    const nowMs = this.deps.now();
    const hit = this.cache.get(key);
    if (hit && nowMs - hit.at < VERIFY_CACHE_MS && nowMs >= hit.at) return hit.result;
    const result = await this.verifyRemote(did, rkey).catch((): VerifyResult => ({ valid: false, reason: "fetch_failed", expired: false, remote: true, communityDid: did }));
    if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { at: nowMs, result });
    return result;
  }

  private async verifyLocal(c: NonNullable<Awaited<ReturnType<typeof findCommunity>>>, rkey: string, auth: AuthResult): Promise<VerifyResult> {
    const nowMs = this.deps.now();
    const base = { remote: false, communityDid: c.did, communityHandle: this.deps.communities.handleOf(c), communityStatus: c.status };
    if (c.status === "takendown") return { ...base, valid: false, reason: "community_takendown", expired: false };
    const me = callerDid(auth);
    if (c.visibility === "private" && !isStaff(auth) && !(me && (await membershipOf(this.deps.db.orm, c, me)))) {
      return { ...base, valid: false, reason: "community_private", expired: false };
    }
    const rec = await recordOn(this.deps.db.orm, c.did, COL.attestation, rkey);
    if (!rec) return { ...base, valid: false, reason: "not_found", expired: false };
    const attestation = attestationView(c.did, rkey, rec.cid, rec.value, nowMs);
    const head = await this.deps.repo.head(c.did);
    const proof = head ? { commitCid: head.cid, rev: head.rev, verifiedAt: new Date(nowMs).toISOString() } : undefined;
    if (attestation.expired) return { ...base, valid: false, reason: "expired", expired: true, attestation };
    return { ...base, valid: true, expired: false, attestation, ...(proof ? { proof } : {}) };
  }

  private async document(did: string): Promise<DidDocument | null> {
    if (did.startsWith("did:plc:")) return this.deps.plc.getDocument(did);
    if (did.startsWith("did:web:")) return fetchWebDidDocument(this.deps.fetchPolicy, did);
    return null;
  }

  private async verifyRemote(did: string, rkey: string): Promise<VerifyResult> {
    const fail = (reason: VerifyReason, extra: Partial<VerifyResult> = {}): VerifyResult => ({ valid: false, reason, expired: false, remote: true, communityDid: did, ...extra });
    // 1. the DID document: where the repo lives and which key signs it
    const doc = await this.document(did).catch(() => null);
    const pdsUrl = doc ? pdsEndpointOf(doc) : undefined;
    const signingKey = doc ? atprotoKeyOf(doc) : undefined;
    if (!doc || !pdsUrl || !signingKey) return fail("resolution_failed");
    const handle = doc.alsoKnownAs?.find((a) => a.startsWith("at://"))?.slice("at://".length);
    const at = { pdsUrl, ...(handle ? { communityHandle: handle } : {}) };

    // 2. the record proof, under the fetch policy (a refused address is never connected to)
    let res;
    try {
      res = await getXrpcBytes(this.deps.fetchPolicy, pdsUrl, "com.atproto.sync.getRecord", { did, collection: COL.attestation, rkey });
    } catch (err) {
      if (err instanceof FetchRefusedError) return fail("fetch_failed", at);
      throw err;
    }
    if (res.status !== 200) {
      const name = errorName(res.body);
      if (name === "RecordNotFound") return fail("not_found", at);
      if (name === "RepoTakendown") return fail("community_takendown", at);
      // the home server does not serve the repo to us: a private (or deactivated) community
      if (name === "RepoDeactivated") return fail("community_private", at);
      return fail("fetch_failed", at);
    }

    // 3. commit DID and signature, the MST path to the key, the record block, the lexicon
    let car, repo: Repo;
    try {
      car = await readCarWithRoot(res.body);
      repo = await Repo.load(new MemoryBlockstore(car.blocks), car.root);
    } catch {
      return fail("signature_invalid", at);
    }
    if (repo.did !== did || !(await verifyCommitSig(repo.commit, signingKey).catch(() => false))) return fail("signature_invalid", at);
    let recordCid;
    try {
      // a missing node on the path throws: the proof is incomplete
      recordCid = await repo.data.get(`${COL.attestation}/${rkey}`);
    } catch {
      return fail("signature_invalid", at);
    }
    const proof = { commitCid: car.root.toString(), rev: repo.commit.rev, verifiedAt: new Date(this.deps.now()).toISOString() };
    // a signed tree without the key proves the record does not exist (revoked or never issued)
    if (!recordCid) return fail("not_found", { ...at, proof });
    let value: Record<string, unknown>;
    try {
      value = recordToJson(await new MemoryBlockstore(car.blocks).readRecord(recordCid)) as Record<string, unknown>;
      this.deps.lexicons.lexicons.assertValidRecord(COL.attestation, value);
      if (this.deps.lexicons.recordFormatProblem(COL.attestation, value)) throw new Error("format");
    } catch {
      // signed, but not an attestation record this lexicon accepts: nothing valid lives at that key
      return fail("not_found", { ...at, proof });
    }
    const attestation = attestationView(did, rkey, recordCid.toString(), value, this.deps.now());
    // 4. valid iff every check passed and it has not expired
    if (attestation.expired) return { ...fail("expired", { ...at, proof }), expired: true, attestation };
    return { valid: true, expired: false, remote: true, communityDid: did, ...at, attestation, proof };
  }
}

function errorName(body: Uint8Array): string | undefined {
  try {
    const v = JSON.parse(new TextDecoder().decode(body)) as { error?: unknown };
    return typeof v.error === "string" ? v.error : undefined;
  } catch {
    return undefined;
  }
}
