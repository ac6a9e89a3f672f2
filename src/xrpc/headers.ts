// Security headers and CORS (spec 06 §12), computed once per request and applied to every response.
import type { Config } from "../config/types.ts";

export const DEFAULT_CSP =
  "default-src 'none'; script-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";
/** For responses that serve user content (getBlob). */
export const SANDBOX_CSP = "default-src 'none'; sandbox";

export function securityHeaders(config: Config): Record<string, string> {
  const h: Record<string, string> = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "X-XSS-Protection": "0",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Content-Security-Policy": DEFAULT_CSP,
  };
  if (config.env === "production") h["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains";
  return h;
}

const CORS_COMMON = {
  "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
  "Access-Control-Allow-Headers": "Content-Type, Authorization, X-Partner-Key, atproto-accept-labelers, atproto-proxy, x-bsky-topics, DPoP",
  "Access-Control-Expose-Headers": "RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After, WWW-Authenticate, DPoP-Nonce, atproto-content-labelers, atproto-repo-rev",
  "Access-Control-Max-Age": "600",
};

/** The OAuth endpoints browser apps call directly (11 §5.1, §6.1, §9.1); the sign-in page is not among them. */
const OAUTH_PUBLIC_PATHS: ReadonlySet<string> = new Set(["/oauth/par", "/oauth/token", "/oauth/revoke", "/oauth/jwks"]);

/** Paths open to every origin: the API is bearer-token only, so no credentials header is ever sent. */
export function isPublicCorsPath(path: string): boolean {
  return path.startsWith("/xrpc/") || path === "/sdk/v1.js" || path.startsWith("/.well-known/") || OAUTH_PUBLIC_PATHS.has(path);
}

export function corsHeaders(path: string, origin: string | null, corsOrigins: readonly string[]): Record<string, string> {
  if (isPublicCorsPath(path)) return { "Access-Control-Allow-Origin": "*", ...CORS_COMMON };
  // Other paths vary by Origin, so caches must key on it even when we do not echo it.
  if (origin && corsOrigins.includes(origin)) return { "Access-Control-Allow-Origin": origin, Vary: "Origin", ...CORS_COMMON };
  return { Vary: "Origin" };
}
