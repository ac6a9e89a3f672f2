// HS256 JWTs written by hand (spec 01 §9.1): the algorithm is pinned and signatures are compared in constant time.
import { createHmac, timingSafeEqual } from "node:crypto";

export type TokenType = "at+jwt" | "refresh+jwt";

export interface JwtClaims {
  scope: string;
  sub: string;
  aud: string;
  iat: number;
  exp: number;
  jti: string;
  sid: string;
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString("base64url");

export function signJwt(secret: string, typ: TokenType, claims: JwtClaims): string {
  const head = b64(JSON.stringify({ alg: "HS256", typ }));
  const body = b64(JSON.stringify(claims));
  const sig = createHmac("sha256", secret).update(`${head}.${body}`).digest("base64url");
  return `${head}.${body}.${sig}`;
}

export type VerifyResult =
  | { ok: true; typ: TokenType; claims: JwtClaims }
  | { ok: false; reason: "malformed" | "alg" | "signature" | "expired" };

const B64URL = /^[A-Za-z0-9_-]*$/;

/** Checks structure, `alg` (HS256 only), signature, then `exp`; audience and scope are the caller's job. */
export function verifyJwt(secret: string, token: string, nowSec = Math.floor(Date.now() / 1000)): VerifyResult {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts.every((p) => B64URL.test(p))) return { ok: false, reason: "malformed" };
  const [head, body, sig] = parts as [string, string, string];
  let header: { alg?: unknown; typ?: unknown };
  let claims: Partial<JwtClaims>;
  try {
    header = JSON.parse(Buffer.from(head, "base64url").toString("utf8"));
    claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    return { ok: false, reason: "malformed" };
  }
  if (typeof header !== "object" || header === null || typeof claims !== "object" || claims === null) return { ok: false, reason: "malformed" };
  if (header.alg !== "HS256") return { ok: false, reason: "alg" };
  const expected = createHmac("sha256", secret).update(`${head}.${body}`).digest();
  const given = Buffer.from(sig, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: "signature" };
  if (header.typ !== "at+jwt" && header.typ !== "refresh+jwt") return { ok: false, reason: "malformed" };
  for (const k of ["scope", "sub", "aud", "jti", "sid"] as const) if (typeof claims[k] !== "string") return { ok: false, reason: "malformed" };
  if (typeof claims.exp !== "number" || typeof claims.iat !== "number") return { ok: false, reason: "malformed" };
  if (claims.exp <= nowSec) return { ok: false, reason: "expired" };
  return { ok: true, typ: header.typ, claims: claims as JwtClaims };
}
