// Typed SDK errors (spec 08 §5): one class per status family, each keeping the server's `error` name.

export class OpenFederationError extends Error {
  override name = "OpenFederationError";
  constructor(
    /** HTTP status; 0 when no response arrived */
    public status: number,
    /** the server's XRPC error name (e.g. `InviteExpired`), never rewritten */
    public error: string,
    message?: string,
    /** seconds, from `Retry-After` (429) */
    public retryAfter?: number,
  ) {
    super(message || error);
  }
}
export class ValidationError extends OpenFederationError {
  override name = "ValidationError";
}
export class AuthenticationError extends OpenFederationError {
  override name = "AuthenticationError";
}
export class ForbiddenError extends OpenFederationError {
  override name = "ForbiddenError";
}
export class NotFoundError extends OpenFederationError {
  override name = "NotFoundError";
}
export class ConflictError extends OpenFederationError {
  override name = "ConflictError";
}
export class RateLimitError extends OpenFederationError {
  override name = "RateLimitError";
}
export class ServerError extends OpenFederationError {
  override name = "ServerError";
}
export class NetworkError extends OpenFederationError {
  override name = "NetworkError";
}

/** The error for an XRPC error response; `ExpiredToken` is an authentication problem whatever its status. */
export function errorFor(status: number, body: { error?: string; message?: string } | undefined, retryAfter: string | null): OpenFederationError {
  const name = body?.error || `HTTP${status}`;
  const C =
    name === "ExpiredToken" || status === 401
      ? AuthenticationError
      : status === 400
        ? ValidationError
        : status === 403
          ? ForbiddenError
          : status === 404
            ? NotFoundError
            : status === 409
              ? ConflictError
              : status === 429
                ? RateLimitError
                : status >= 500
                  ? ServerError
                  : OpenFederationError;
  return new C(status, name, body?.message, retryAfter ? Number(retryAfter) : undefined);
}
