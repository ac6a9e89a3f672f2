// DPoP proofs (RFC 9449, 11 §4): ES256 with an embedded public JWK, htm/htu/iat/ath/jti checks, server nonces.
import { MemoryMarks, type SingleUseMarks } from "../ratelimit/store.ts";
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, jwtVerify, type JWK } from "jose";
import { invalidDpopProof, OAuthError } from "./errors.ts";

const NONCE_STEP_MS = 60_000;
const IAT_SKEW_S = 180;
/** a jti is remembered as long as a proof carrying it could still pass the nonce and iat checks */
const JTI_TTL_MS = 5 * 60_000;
const JTI_MAX = 100_000;

export interface DpopCheck {
  method: string;
  /** the request path (origin is always the issuer's, never the Host header) */
  path: string;
  /** present on XRPC calls: the proof's `ath` must be its hash */
  accessToken?: string;
  /** AS endpoints answer a missing nonce with 400 use_dpop_nonce, XRPC with 401 */
  resource: boolean;
}

const b64url = (b: Buffer) => b.toString("base64url");

export class DpopVerifier {
  /** proof jtis already accepted: in memory for one process, in the database in cluster mode */
  private readonly seen: SingleUseMarks;

  constructor(private readonly deps: { issuer: string; nonceSecret: Buffer; now: () => number; marks?: SingleUseMarks }) {
    this.seen = deps.marks ?? new MemoryMarks(JTI_MAX);
  }

  private nonceAt(step: number): string {
    return b64url(createHmac("sha256", this.deps.nonceSecret).update(String(step)).digest());
  }

  /** The nonce every response to a DPoP request carries. */
  currentNonce(): string {
    return this.nonceAt(Math.floor(this.deps.now() / NONCE_STEP_MS));
  }

  private nonceValid(nonce: unknown): boolean {
    if (typeof nonce !== "string") return false;
    const step = Math.floor(this.deps.now() / NONCE_STEP_MS);
    const given = Buffer.from(nonce);
    // constant-time: a nonce is a MAC
    return [step - 1, step, step + 1].some((s) => {
      const want = Buffer.from(this.nonceAt(s));
      return want.length === given.length && timingSafeEqual(want, given);
    });
  }

  private useNonce(resource: boolean): OAuthError {
    const headers = { "DPoP-Nonce": this.currentNonce() };
    return resource
      ? new OAuthError(401, "use_dpop_nonce", "Authorization server requires nonce in DPoP proof", { ...headers, "WWW-Authenticate": `DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"` })
      : new OAuthError(400, "use_dpop_nonce", "Authorization server requires nonce in DPoP proof", headers);
  }

  /** Verifies the request's DPoP header (exactly one proof) and returns the key's RFC 7638 thumbprint. */
  async verify(header: string | null, check: DpopCheck): Promise<string> {
    if (header === null || header === "") throw invalidDpopProof("DPoP proof required");
    if (header.includes(",")) throw invalidDpopProof("Exactly one DPoP proof is required");
    let protectedHeader: ReturnType<typeof decodeProtectedHeader>;
    try {
      protectedHeader = decodeProtectedHeader(header);
    } catch {
      throw invalidDpopProof("Malformed DPoP proof");
    }
    const jwk = protectedHeader.jwk as JWK | undefined;
    if (protectedHeader.typ !== "dpop+jwt" || protectedHeader.alg !== "ES256" || !jwk || jwk.kty !== "EC" || jwk.crv !== "P-256" || "d" in jwk) {
      throw invalidDpopProof("Invalid DPoP proof header");
    }
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(header, EmbeddedJWK, { typ: "dpop+jwt", algorithms: ["ES256"], currentDate: new Date(this.deps.now()), clockTolerance: IAT_SKEW_S }));
    } catch {
      throw invalidDpopProof("Invalid DPoP proof signature");
    }
    if (typeof payload.jti !== "string" || payload.jti.length === 0 || payload.jti.length > 256) throw invalidDpopProof('DPoP "jti" missing');
    if (payload.htm !== check.method) throw invalidDpopProof('DPoP "htm" mismatch');
    if (typeof payload.htu !== "string" || normaliseHtu(payload.htu) !== this.deps.issuer + check.path) throw invalidDpopProof('DPoP "htu" mismatch');
    const nowS = this.deps.now() / 1000;
    if (typeof payload.iat !== "number" || Math.abs(nowS - payload.iat) > IAT_SKEW_S) throw invalidDpopProof("DPoP proof expired");
    if (check.accessToken !== undefined) {
      const ath = b64url(createHash("sha256").update(check.accessToken).digest());
      if (payload.ath !== ath) throw invalidDpopProof('DPoP "ath" mismatch');
    } else if (payload.ath !== undefined) throw invalidDpopProof('DPoP "ath" mismatch');
    if (!this.nonceValid(payload.nonce)) throw this.useNonce(check.resource);
    // Why last: a proof refused for its nonce is retried by the client with a new jti, so only proofs that
    // passed every other check are remembered; the claim is one atomic check-and-set (in memory or one upsert),
    // so two copies of one proof racing each other cannot both pass.
    const now = this.deps.now();
    if (!(await this.seen.claim(payload.jti, now + JTI_TTL_MS, now))) throw invalidDpopProof("DPoP proof replayed");
    return calculateJwkThumbprint(jwk, "sha256");
  }

}

/** Origin + path of a proof's htu, query and fragment dropped; an unparsable htu never matches. */
function normaliseHtu(htu: string): string {
  try {
    const u = new URL(htu);
    return u.origin + u.pathname;
  } catch {
    return "";
  }
}
