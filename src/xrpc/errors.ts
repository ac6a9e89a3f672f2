// XRPC error types and the single place that turns any thrown value (domain errors included) into an `{error, message}` response.
import { DomainError, type ErrorKind } from "../errors.ts";
import { DatabaseUnavailableError } from "../db/database.ts";
import type { Logger } from "../util/logger.ts";

/** The HTTP status for each domain error kind (src/errors.ts). */
const STATUS_OF_KIND: Record<ErrorKind, number> = {
  invalid: 400, auth: 401, forbidden: 403, notFound: 404, conflict: 409, gone: 410, tooLarge: 413,
  rateLimited: 429, internal: 500, notImplemented: 501, upstream: 502, unavailable: 503,
};

function kindOfStatus(status: number): ErrorKind {
  for (const [kind, s] of Object.entries(STATUS_OF_KIND)) if (s === status) return kind as ErrorKind;
  return status >= 500 ? "internal" : "invalid";
}

/**
 * An error raised by the XRPC layer itself, with an explicit HTTP status and optional response headers (Allow,
 * rate-limit headers). Domain code throws DomainError instead; both render through errorResponse.
 */
export class XrpcError extends DomainError {
  constructor(
    readonly status: number,
    error: string,
    message: string,
    extras?: Record<string, unknown>,
    /** extra response headers, e.g. Retry-After or Allow */
    readonly headers?: Record<string, string>,
  ) {
    super(kindOfStatus(status), error, message, extras);
    this.name = "XrpcError";
  }
}

/** The HTTP status a thrown domain (or XRPC) error is answered with. */
export const httpStatusOf = (err: DomainError): number => (err instanceof XrpcError ? err.status : STATUS_OF_KIND[err.kind]);

function headersOf(err: DomainError): Record<string, string> {
  const out: Record<string, string> = err.retryAfterSec !== undefined ? { "Retry-After": String(err.retryAfterSec) } : {};
  return err instanceof XrpcError ? { ...out, ...err.headers } : out;
}

// Helpers for the standard table (00 §5). Handlers use these or a method-specific `new XrpcError(...)`.
export const invalidRequest = (message: string, headers?: Record<string, string>) =>
  new XrpcError(400, "InvalidRequest", message, undefined, headers);
export const expiredToken = (message = "Token has expired") => new XrpcError(400, "ExpiredToken", message);
export const authRequired = (message = "Authentication required") => new XrpcError(401, "AuthRequired", message);
export const invalidToken = (message = "Token could not be verified") => new XrpcError(401, "InvalidToken", message);
export const unauthorized = (message = "Invalid credentials") => new XrpcError(401, "Unauthorized", message);
export const forbidden = (message = "Not permitted") => new XrpcError(403, "Forbidden", message);
export const notFound = (message = "Not found") => new XrpcError(404, "NotFound", message);
export const methodNotFound = (message = "Method not found") => new XrpcError(404, "MethodNotFound", message);
export const payloadTooLarge = (message = "Request body too large", name = "PayloadTooLarge") => new XrpcError(413, name, message);
export const rateLimitExceeded = (retryAfterSec: number, headers: Record<string, string> = {}) =>
  new XrpcError(429, "RateLimitExceeded", "Rate limit exceeded", undefined, { ...headers, "Retry-After": String(retryAfterSec) });
export const internalError = () => new XrpcError(500, "InternalServerError", "An internal error occurred");
/** 501 for methods the spec declares out of scope for this server (e.g. PLC signing, 02 §11); the message says what to do instead. */
export const methodNotImplemented = (message: string) => new XrpcError(501, "MethodNotImplemented", message);
export const upstreamFailure = (message = "Upstream service failed") => new XrpcError(502, "UpstreamFailure", message);
export const serviceUnavailable = (message = "Service unavailable") => new XrpcError(503, "ServiceUnavailable", message);

/** Names any method may return without declaring them in its lexicon (00 §5). */
export const STANDARD_ERROR_NAMES: ReadonlySet<string> = new Set([
  "InvalidRequest", "ExpiredToken", "AuthRequired", "InvalidToken", "Unauthorized", "Forbidden",
  "AccountNotApproved", "AccountSuspended", "AccountDeactivated", "AccountDisabled", "AccountTakenDown",
  "NotFound", "MethodNotFound", "PayloadTooLarge", "RateLimitExceeded", "InternalServerError",
  "MethodNotImplemented", "UpstreamFailure", "ServiceUnavailable",
  "invalid_token", "invalid_dpop_proof", "use_dpop_nonce", "ScopeMissingError", // OAuth on XRPC (11 §4, §8)
]);

export const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": JSON_CONTENT_TYPE, ...headers } });
}

/**
 * Map any thrown value to an XRPC error response. Domain errors (XrpcError included) pass through; anything else is logged
 * (with the request id, never sent) and answered with the generic 500.
 */
export function errorResponse(err: unknown, logger: Logger, requestId: string): Response {
  // PostgreSQL gone mid-request: the transaction rolled back; the client may retry once the database is back
  if (err instanceof DatabaseUnavailableError) {
    logger.warn("database unavailable", { requestId, err: err.detail });
    err = serviceUnavailable("The database is unavailable; try again shortly");
  }
  if (!(err instanceof DomainError)) {
    logger.error("unhandled error", {
      requestId,
      err: err instanceof Error ? (err.stack ?? err.message) : String(err),
    });
    err = internalError();
  }
  const e = err as DomainError;
  // Declared extras first so they can never overwrite `error`/`message`.
  return jsonResponse(httpStatusOf(e), { ...e.extras, error: e.error, message: e.message }, headersOf(e));
}
