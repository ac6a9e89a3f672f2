// XRPC error types and the single place that turns any thrown value into an `{error, message}` response.
import type { Logger } from "../util/logger.ts";

/** An error with an XRPC name, an HTTP status and a safe, human message. Extras are declared extra body fields. */
export class XrpcError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
    readonly extras?: Record<string, unknown>,
    /** extra response headers, e.g. Retry-After or Allow */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "XrpcError";
  }
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
]);

export const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": JSON_CONTENT_TYPE, ...headers } });
}

/**
 * Map any thrown value to an XRPC error response. Known XrpcErrors pass through; anything else is logged
 * (with the request id, never sent) and answered with the generic 500.
 */
export function errorResponse(err: unknown, logger: Logger, requestId: string): Response {
  if (!(err instanceof XrpcError)) {
    logger.error("unhandled error", {
      requestId,
      err: err instanceof Error ? (err.stack ?? err.message) : String(err),
    });
    err = internalError();
  }
  const e = err as XrpcError;
  // Declared extras first so they can never overwrite `error`/`message`.
  return jsonResponse(e.status, { ...e.extras, error: e.error, message: e.message }, e.headers);
}
