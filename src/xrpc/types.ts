// Types shared by the route table, the pipeline and the handlers in src/api/.
import type { AuthResult } from "../caller.ts";
import type { AppContext } from "../context.ts";
import type { Logger } from "../util/logger.ts";
import type { RateLimitBucket } from "./ratelimit/limiter.ts";
import type { Input, InputEncoding, MethodId, Output, OutputEncoding, ValidatedParams } from "../lexicon-types/index.ts";

/**
 * Who may call a method (spec 00 §6). Only `none` is verified today; the auth issue adds the verifiers for
 * the other kinds in src/xrpc/auth.ts — the route table already names them so auth can be audited there.
 */
export type AuthGuard =
  | { kind: "none" }
  | { kind: "optional" }
  | { kind: "user" }
  | { kind: "self-any" }
  | { kind: "staff"; roles: readonly string[] }
  | { kind: "member-perm"; permission: string }
  | { kind: "refresh" }
  /** refresh or access JWT, session may already be revoked (deleteSession) */
  | { kind: "session" }
  | { kind: "partner" }
  | { kind: "service" }
  /** as `none`, except that an inter-service JWT (ES256K/ES256, 02 §9) is left to the handler, which must verify it */
  | { kind: "none-or-service" }
  /** as `user` / `optional`, and also an account on another server by service auth (04 §9 remote members) */
  | { kind: "user-or-remote" }
  | { kind: "optional-or-remote" };

// Domain types live in the leaf src/caller.ts; re-exported so handlers keep one import.
export type { AccessScope, AccountStatus, AuthResult, Caller } from "../caller.ts";

export interface RequestInfo {
  requestId: string;
  /** client IP after TRUST_PROXY handling */
  ip: string;
  headers: Headers;
  logger: Logger;
}

export interface HandlerArgs<P = Record<string, unknown>, I = unknown> {
  ctx: AppContext;
  /** validated query parameters, lexicon defaults applied */
  params: P;
  /** validated JSON input (procedures), raw bytes for non-JSON encodings, undefined when none declared */
  input: I;
  auth: AuthResult;
  req: RequestInfo;
}

/** A non-JSON input as the pipeline hands it over: buffered bytes, or the unread stream when the route sets `body.stream`. */
export interface RawInput {
  encoding: string;
  bytes: Uint8Array;
}
export interface StreamInput {
  encoding: string;
  stream: ReadableStream<Uint8Array> | null;
}

/**
 * The arguments of method N's handler, typed from its lexicon (src/lexicon-types): params with defaults applied,
 * the JSON input, or `I` (RawInput unless overridden, e.g. StreamInput) for a non-JSON input.
 */
export type MethodArgs<N extends MethodId, I = RawInput> = HandlerArgs<
  ValidatedParams<N>,
  InputEncoding<N> extends "application/json" ? Input<N> : InputEncoding<N> extends undefined ? undefined : I
>;

/** What method N's handler returns: its lexicon's JSON output, a RawOutput for a non-JSON output, nothing when it declares none. */
export type MethodResult<N extends MethodId> = OutputEncoding<N> extends "application/json"
  ? Output<N>
  : OutputEncoding<N> extends undefined
    ? void
    : RawOutput;

/** A non-JSON response body (CAR files, blobs). Returned by a handler instead of a plain object. */
export interface RawOutput {
  raw: true;
  encoding: string;
  body: BodyInit;
  headers?: Record<string, string>;
}

export const rawOutput = (encoding: string, body: BodyInit, headers?: Record<string, string>): RawOutput => ({
  raw: true,
  encoding,
  body,
  headers,
});

/** A handler returns its lexicon output (JSON), a RawOutput, or undefined for methods without output. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type XrpcHandler = (args: HandlerArgs<any, any>) => unknown | Promise<unknown>;

export interface RouteEntry {
  nsid: string;
  handler: XrpcHandler;
  auth: AuthGuard;
  rateLimit?: RateLimitBucket;
  /** count `rateLimit` only for requests carrying an Origin header (browser calls): partner.register (06 §11) */
  rateLimitBrowserOnly?: true;
  /** checks on the parsed JSON body run before the lexicon validation, where the spec fixes the message (putPreferences' "$type") */
  precheck?: (body: unknown) => void;
  /** override the Content-Security-Policy (e.g. getBlob's sandbox policy) */
  csp?: string;
  /** override the body cap and the 413 error name for non-JSON inputs (uploadBlob: BlobTooLarge) */
  body?: {
    maxBytes: (config: AppContext["config"]) => number;
    tooLargeError?: string;
    /**
     * hand the handler the unread body (`{ encoding, stream }`) instead of buffered bytes; the handler enforces
     * the cap while reading (uploadBlob streams to disk). A declared Content-Length is still checked first.
     */
    stream?: boolean;
  };
}

// Guard constructors, so the route table reads like the spec's method tables.
export const none: AuthGuard = { kind: "none" };
export const optional: AuthGuard = { kind: "optional" };
export const user: AuthGuard = { kind: "user" };
export const selfAny: AuthGuard = { kind: "self-any" };
export const refresh: AuthGuard = { kind: "refresh" };
export const session: AuthGuard = { kind: "session" };
export const partner: AuthGuard = { kind: "partner" };
export const service: AuthGuard = { kind: "service" };
export const noneOrService: AuthGuard = { kind: "none-or-service" };
export const userOrRemote: AuthGuard = { kind: "user-or-remote" };
export const optionalOrRemote: AuthGuard = { kind: "optional-or-remote" };
export const staff = (...roles: string[]): AuthGuard => ({ kind: "staff", roles });
export const memberPerm = (permission: string): AuthGuard => ({ kind: "member-perm", permission });
