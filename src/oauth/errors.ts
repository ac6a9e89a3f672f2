// OAuth protocol errors (RFC 6749 §5.2 / RFC 9449): an OAuth error code, a description and optional response headers.
import { DomainError, type ErrorKind } from "../errors.ts";

const KIND_OF: Record<number, ErrorKind> = { 400: "invalid", 401: "auth", 403: "forbidden", 404: "notFound", 429: "rateLimited", 500: "internal" };

/**
 * An error of the authorization server. AS endpoints render it as `{error, error_description}`; when it reaches
 * XRPC (DPoP and OAuth access-token checks), the XRPC layer renders it as `{error, message}` with its status and headers.
 */
export class OAuthError extends DomainError {
  constructor(
    readonly status: number,
    override readonly error: string,
    readonly description: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(KIND_OF[status] ?? "invalid", error, description);
    this.name = "OAuthError";
  }
}

export const invalidRequest = (d: string) => new OAuthError(400, "invalid_request", d);
export const invalidGrant = (d: string) => new OAuthError(400, "invalid_grant", d);
export const invalidClientMetadata = (d: string) => new OAuthError(400, "invalid_client_metadata", d);
export const invalidScope = (d: string) => new OAuthError(400, "invalid_scope", d);

/** 401 invalid_dpop_proof with the RFC 9449 challenge. */
export const invalidDpopProof = (d: string) =>
  new OAuthError(401, "invalid_dpop_proof", d, { "WWW-Authenticate": `DPoP algs="ES256", error="invalid_dpop_proof", error_description="${d.replace(/"/g, "'")}"` });

/** 401 invalid_token, so clients refresh (11 §8). */
export const invalidOAuthToken = (d: string) => new OAuthError(401, "invalid_token", d, { "WWW-Authenticate": `DPoP algs="ES256", error="invalid_token", error_description="${d.replace(/"/g, "'")}"` });
