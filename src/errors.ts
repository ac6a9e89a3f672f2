// Domain errors (leaf module, imports nothing): a name, a status class and a safe message; the XRPC layer maps them to HTTP.

/**
 * What kind of failure this is, independent of any transport. src/xrpc/errors.ts maps each kind to an HTTP
 * status (invalid 400, auth 401, forbidden 403, notFound 404, conflict 409, gone 410, tooLarge 413,
 * rateLimited 429, internal 500, notImplemented 501, upstream 502, unavailable 503).
 */
export type ErrorKind =
  | "invalid"
  | "auth"
  | "forbidden"
  | "notFound"
  | "conflict"
  | "gone"
  | "tooLarge"
  | "rateLimited"
  | "internal"
  | "notImplemented"
  | "upstream"
  | "unavailable";

/** A failure the caller may see: `error` is the wire name (e.g. "HandleTaken"), the message is safe to show. */
export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly error: string,
    message: string,
    /** declared extra body fields (e.g. `{ retryAfter }`) */
    readonly extras?: Record<string, unknown>,
    /** for `rateLimited`: seconds until a retry may succeed (the XRPC layer sends it as Retry-After) */
    readonly retryAfterSec?: number,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

// The standard names (spec 00 §5) as domain errors; method-specific ones are built with `new DomainError(...)`.
export const invalidRequest = (message: string) => new DomainError("invalid", "InvalidRequest", message);
export const expiredToken = (message = "Token has expired") => new DomainError("invalid", "ExpiredToken", message);
export const authRequired = (message = "Authentication required") => new DomainError("auth", "AuthRequired", message);
export const invalidToken = (message = "Token could not be verified") => new DomainError("auth", "InvalidToken", message);
export const unauthorized = (message = "Invalid credentials") => new DomainError("auth", "Unauthorized", message);
export const forbidden = (message = "Not permitted") => new DomainError("forbidden", "Forbidden", message);
export const notFound = (message = "Not found") => new DomainError("notFound", "NotFound", message);
export const rateLimitExceeded = (retryAfterSec: number, message = "Rate limit exceeded") =>
  new DomainError("rateLimited", "RateLimitExceeded", message, undefined, retryAfterSec);
export const internalError = () => new DomainError("internal", "InternalServerError", "An internal error occurred");
export const methodNotImplemented = (message: string) => new DomainError("notImplemented", "MethodNotImplemented", message);
export const upstreamFailure = (message = "Upstream service failed") => new DomainError("upstream", "UpstreamFailure", message);
export const serviceUnavailable = (message = "Service unavailable") => new DomainError("unavailable", "ServiceUnavailable", message);
