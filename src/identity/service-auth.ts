// AT Protocol inter-service JWTs (02 §9): verify incoming ones (ES256K/ES256, DID-document key, replay cache,
// 60/min per iss) and mint outgoing ones for com.atproto.server.getServiceAuth (03 §8).
import { MemoryMarks, MemoryRateLimitStore, type RateLimitStore, type SingleUseMarks } from "../ratelimit/store.ts";
import { randomBytes } from "node:crypto";
import { verifySignature, type Keypair } from "@atproto/crypto";
import { DomainError, invalidToken } from "../errors.ts";
import type { DidDocument, PlcClient } from "./plc-client.ts";

export const SERVICE_AUTH_MAX_TTL_SEC = 3600;
const PER_ISS_PER_MIN = 60;

export interface ServiceAuthClaims {
  iss: string;
  aud: string;
  exp: number;
  iat?: number;
  lxm?: string;
  jti?: string;
}

const b64url = (data: Uint8Array | string) => Buffer.from(data).toString("base64url");

/** Signs `{alg:"ES256K", typ:"JWT"}` + claims with the account's signing key. */
export async function mintServiceAuth(keypair: Keypair, claims: { iss: string; aud: string; exp: number; lxm?: string }, nowSec = Math.floor(Date.now() / 1000)): Promise<string> {
  const header = { alg: keypair.jwtAlg, typ: "JWT" };
  const payload = { iat: nowSec, ...claims, jti: randomBytes(16).toString("hex") };
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const sig = await keypair.sign(new TextEncoder().encode(signingInput));
  return `${signingInput}.${b64url(sig)}`;
}

/** The `#atproto` key of a DID document as a did:key, or undefined. */
export function atprotoKeyOf(doc: DidDocument): string | undefined {
  const vm = doc.verificationMethod?.find((m) => m.id === "#atproto" || m.id === `${doc.id}#atproto`);
  return vm?.publicKeyMultibase ? `did:key:${vm.publicKeyMultibase}` : undefined;
}

/** The `#atproto_pds` endpoint of a DID document, or undefined. */
export function pdsEndpointOf(doc: DidDocument): string | undefined {
  const s = doc.service?.find((x) => x.id === "#atproto_pds" || x.id === `${doc.id}#atproto_pds`);
  return typeof s?.serviceEndpoint === "string" ? s.serviceEndpoint : undefined;
}

function decodePart(part: string | undefined): Record<string, unknown> {
  if (!part || !/^[A-Za-z0-9_-]+$/.test(part)) throw invalidToken("Malformed service token");
  try {
    const v = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    if (!v || typeof v !== "object" || Array.isArray(v)) throw new Error("not an object");
    return v as Record<string, unknown>;
  } catch {
    throw invalidToken("Malformed service token");
  }
}

/** True when the token's header names an asymmetric (service-auth) algorithm; cheap pre-check for the auth seam. */
export function looksLikeServiceAuth(token: string): boolean {
  try {
    const alg = decodePart(token.split(".")[0]).alg;
    return alg === "ES256K" || alg === "ES256";
  } catch {
    return false;
  }
}

export class ServiceAuthVerifier {
  /** iss+jti marks that live until their token could no longer be accepted anyway */
  private readonly seen: SingleUseMarks;
  /** per-iss minute windows */
  private readonly perIss: RateLimitStore;

  /** `marks`/`counters`: shared by every process in cluster mode; in memory by default */
  constructor(
    private readonly deps: { plc: Pick<PlcClient, "getDocument">; serviceDid: string; marks?: SingleUseMarks; counters?: RateLimitStore },
    private readonly now: () => number = Date.now,
  ) {
    this.seen = deps.marks ?? new MemoryMarks();
    this.perIss = deps.counters ?? new MemoryRateLimitStore({ maxKeys: 10_000 });
  }

  /**
   * Verifies a service-auth JWT for method `lxm`. Any failure → 401 InvalidToken (429 past 60/min per iss).
   * Order: shape/alg → claims (aud, lxm, exp window, jti present) → rate → DID key signature → replay.
   */
  async verify(token: string, lxm: string): Promise<ServiceAuthClaims> {
    const parts = token.split(".");
    if (parts.length !== 3) throw invalidToken("Malformed service token");
    const header = decodePart(parts[0]);
    const claims = decodePart(parts[1]);
    const alg = header.alg;
    if (alg !== "ES256K" && alg !== "ES256") throw invalidToken("Service token algorithm must be ES256K or ES256");
    if (typeof claims.iss !== "string" || !claims.iss.startsWith("did:")) throw invalidToken("Service token has no valid iss");
    const iss = claims.iss.split("#")[0]!;
    if (claims.aud !== this.deps.serviceDid) throw invalidToken("Service token audience is not this server");
    if (claims.lxm !== lxm) throw invalidToken(`Service token is not for ${lxm}`);
    const nowSec = Math.floor(this.now() / 1000);
    if (typeof claims.exp !== "number" || !Number.isFinite(claims.exp)) throw invalidToken("Service token has no exp");
    if (claims.exp <= nowSec) throw invalidToken("Service token has expired");
    if (claims.exp > nowSec + SERVICE_AUTH_MAX_TTL_SEC) throw invalidToken("Service token expires too far in the future");
    if (typeof claims.jti !== "string" || claims.jti.length === 0 || claims.jti.length > 256) throw invalidToken("Service token has no jti");
    await this.countIss(iss);

    const sig = Buffer.from(parts[2]!, "base64url");
    const data = new TextEncoder().encode(`${parts[0]}.${parts[1]}`);
    // A failed check re-resolves once without the cache: the issuer may have just rotated its key.
    let ok = await this.checkSig(iss, data, sig, alg, false);
    if (!ok) ok = await this.checkSig(iss, data, sig, alg, true);
    if (!ok) throw invalidToken("Service token signature does not match the issuer's DID document");

    if (!(await this.seen.claim(`${iss} ${claims.jti}`, claims.exp * 1000, nowSec * 1000))) throw invalidToken("Service token was already used");
    return { iss, aud: claims.aud as string, exp: claims.exp, lxm, jti: claims.jti, ...(typeof claims.iat === "number" ? { iat: claims.iat } : {}) };
  }

  private async checkSig(iss: string, data: Uint8Array, sig: Uint8Array, alg: string, fresh: boolean): Promise<boolean> {
    let doc: DidDocument | null;
    try {
      doc = await this.deps.plc.getDocument(iss, { fresh });
    } catch {
      throw invalidToken("Could not resolve the service token issuer");
    }
    const key = doc ? atprotoKeyOf(doc) : undefined;
    if (!key) return false;
    try {
      return await verifySignature(key, data, sig, { jwtAlg: alg });
    } catch {
      return false;
    }
  }

  private async countIss(iss: string): Promise<void> {
    const now = this.now();
    const w = await this.perIss.hit(iss, 60_000, now);
    if (w.count > PER_ISS_PER_MIN) {
      const retry = Math.max(1, Math.ceil((w.resetAt - now) / 1000));
      throw new DomainError("rateLimited", "RateLimitExceeded", "Too many service-auth requests from this issuer", undefined, retry);
    }
  }

}
