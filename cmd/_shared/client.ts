// XRPC client for CLI verbs: server resolution, timeouts, saved sessions with single-flight refresh, errors → exit codes.
import { CliError, EXIT, UsageError, type ExitCode } from "./errors.ts";
import { SessionStore, type SavedSession } from "./session-store.ts";
import type { Output } from "./output.ts";
import type { Input, MethodId, Output as MethodOutput, Params } from "../../src/lexicon-types/index.ts";

export const DEFAULT_SERVER = "http://localhost:8080";
export const DEFAULT_TIMEOUT_MS = 30_000;
/** An access token this close to `exp` is refreshed before use. */
const EXPIRY_MARGIN_S = 60;

/** 400 names that are input problems (exit 2); every other named 400 is a state/precondition conflict (exit 5). */
const USAGE_400 = new Set(["InvalidRequest", "InvalidSignature", "InvalidCar", "InvalidDomain", "InvalidPublicKey", "ClaimTooLarge", "BadExpiration", "UnresolvableDid", "InvalidHandle", "InvalidPassword"]);
/** Names about the caller's account state or credentials (exit 3) whatever their status code. */
const AUTH_NAMES = /^(Account(NotApproved|Suspended|Deactivated|Disabled|TakenDown|Takedown)|ExpiredToken|InvalidToken|AuthRequired|Unauthorized|Forbidden)$/;

export function exitCodeFor(status: number, name: string): ExitCode {
  if (name === "AccountLocked" || status === 429) return EXIT.rateLimited;
  if (status >= 500) return EXIT.runtime;
  if (AUTH_NAMES.test(name)) return EXIT.auth;
  if (/NotFound$/.test(name) || status === 404) return EXIT.notFound;
  if (status === 401 || status === 403) return EXIT.auth;
  if (status === 409) return EXIT.conflict;
  if (status === 410) return EXIT.notFound;
  if (status === 413) return EXIT.usage;
  if (status === 400) return USAGE_400.has(name) || !name ? EXIT.usage : EXIT.conflict;
  return EXIT.runtime;
}

/** Builds the CLI error for an XRPC error response: server message, error name in parentheses, the fix last. */
export function cliErrorFromResponse(status: number, body: unknown, ctx: { nsid: string; server: string; retryAfter?: string | null }): CliError {
  const b = (body && typeof body === "object" ? body : {}) as { error?: unknown; message?: unknown; retryAfter?: unknown };
  const name = typeof b.error === "string" && b.error ? b.error : `HTTP${status}`;
  const message = typeof b.message === "string" && b.message ? b.message : `${ctx.nsid} failed with HTTP ${status}`;
  const code = exitCodeFor(status, typeof b.error === "string" ? b.error : "");
  const lines = [`${message} (${name})`];
  if (name === "MethodNotFound") lines.push(`The server at ${ctx.server} does not offer ${ctx.nsid}: check --server, or upgrade the server`);
  else if (name === "AuthRequired") lines.push("Run `ofpds auth login` first");
  else if (code === EXIT.rateLimited) {
    const after = typeof b.retryAfter === "number" ? b.retryAfter : Number(ctx.retryAfter ?? NaN);
    lines.push(Number.isFinite(after) ? `Try again in ${after} s` : "Try again later");
  } else if (code === EXIT.runtime) lines.push("The server failed; its log has the details");
  return new CliError(lines.join("\n"), code, name);
}

/** Normalises a server URL (scheme added for bare hosts; no trailing slash). */
export function normalizeServer(input: string): string {
  let raw = input.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    const local = /^(localhost|127\.|\[::1\])/i.test(raw);
    raw = `${local ? "http" : "https"}://${raw}`;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--server ${input} is not a URL (example: https://pds.example.org)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`--server must be an http(s) URL (got ${input})`);
  return url.origin + url.pathname.replace(/\/+$/, "");
}

export function parseTimeout(value: string | undefined): number {
  if (value === undefined || value === "") return DEFAULT_TIMEOUT_MS;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms <= 0) throw new UsageError(`--timeout must be a positive number of milliseconds (got ${value})`);
  return ms;
}

/** `-s/--server`, else OFPDS_SERVER, else the server of the newest saved session, else localhost:8080. */
export function resolveServer(flag: string | undefined, store: SessionStore): string {
  if (flag) return normalizeServer(flag);
  if (process.env.OFPDS_SERVER) return normalizeServer(process.env.OFPDS_SERVER);
  return store.latestServer() ?? DEFAULT_SERVER;
}

/** Seconds until the JWT's `exp`, or undefined when it cannot be read. */
export function secondsLeft(jwt: string, now = Date.now()): number | undefined {
  try {
    const payload = JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString("utf8")) as { exp?: unknown };
    return typeof payload.exp === "number" ? payload.exp - now / 1000 : undefined;
  } catch {
    return undefined;
  }
}

export type Auth = "none" | "access" | "refresh";

/** A lexicon enum widened to `string`: the CLI passes what the user typed, and the server answers a value outside it with its 400. */
type Widen<T> = T extends string ? string : T;

/** A method's query parameters as the CLI passes them: the lexicon's names (a misspelt one does not compile), unset flags as `undefined`. */
export type QueryArgs<N extends MethodId> = { [K in keyof Params<N>]?: Widen<Params<N>[K]> | undefined };

/** A procedure's JSON body as the CLI builds it: the lexicon's fields and required-ness, enums widened (see Widen). */
export type RequestBody<N extends MethodId> = { [K in keyof Input<N>]: Widen<Input<N>[K]> };

export interface CallOptions {
  /** query parameters: a value is sent once, an array once per item, `undefined` not at all */
  params?: object;
  body?: unknown;
  /** a non-JSON body (a CAR upload) instead of `body` */
  raw?: { contentType: string; bytes: Uint8Array };
  auth?: Auth;
}

export class XrpcClient {
  constructor(
    readonly server: string,
    readonly timeoutMs: number,
    readonly store: SessionStore,
  ) {}

  /** GET with query parameters; the result is typed by the method's lexicon (src/lexicon-types). */
  query<N extends MethodId>(nsid: N, params: QueryArgs<N> = {}, auth: Auth = "access"): Promise<MethodOutput<N>> {
    return this.call<MethodOutput<N>>("GET", nsid, { params, auth });
  }

  /** POST with a JSON body; body and result are typed by the method's lexicon. */
  procedure<N extends MethodId>(nsid: N, body?: RequestBody<N>, auth: Auth = "access"): Promise<MethodOutput<N>> {
    return this.call<MethodOutput<N>>("POST", nsid, { body, auth });
  }

  savedSession(): SavedSession | undefined {
    return this.store.get(this.server);
  }

  requireSession(): SavedSession {
    const s = this.savedSession();
    if (!s) throw new CliError(`Not logged in to ${this.server}\nRun \`ofpds auth login${this.server === DEFAULT_SERVER ? "" : ` -s ${this.server}`}\` first`, EXIT.auth, "NotLoggedIn");
    return s;
  }

  async call<T>(method: "GET" | "POST", nsid: string, opts: CallOptions = {}): Promise<T> {
    const auth = opts.auth ?? "access";
    if (auth !== "access") {
      const token = auth === "refresh" ? this.requireSession().refreshJwt : undefined;
      return this.parse<T>(nsid, await this.send(method, nsid, opts, token));
    }
    let session = this.requireSession();
    const left = secondsLeft(session.accessJwt);
    if (left !== undefined && left < EXPIRY_MARGIN_S) session = await this.refresh(session);
    let res = await this.send(method, nsid, opts, session.accessJwt);
    if (res.status === 400 || res.status === 401) {
      const body = await res.clone().json().catch(() => ({})) as { error?: string };
      if (body.error === "ExpiredToken" || body.error === "InvalidToken") {
        session = await this.refresh(session);
        res = await this.send(method, nsid, opts, session.accessJwt);
      }
    }
    return this.parse<T>(nsid, res);
  }

  /**
   * Single-flight refresh across processes: under the store's lock, reuse tokens another process
   * just rotated; otherwise rotate them here. A refused refresh removes the saved session (exit 3).
   */
  async refresh(stale: SavedSession): Promise<SavedSession> {
    return this.store.withLock(async () => {
      const current = this.store.get(this.server);
      if (!current) throw new CliError(`The saved session for ${this.server} was removed\nRun \`ofpds auth login\` to sign in again`, EXIT.auth, "NotLoggedIn");
      const left = secondsLeft(current.accessJwt);
      if (current.refreshJwt !== stale.refreshJwt && (left === undefined || left >= EXPIRY_MARGIN_S)) return current;
      const res = await this.send("POST", "com.atproto.server.refreshSession", {}, current.refreshJwt);
      const body = (await res.json().catch(() => ({}))) as Partial<SavedSession> & { error?: string; message?: string };
      if (res.status >= 500) throw cliErrorFromResponse(res.status, body, { nsid: "com.atproto.server.refreshSession", server: this.server });
      if (!res.ok || !body.accessJwt || !body.refreshJwt) {
        this.store.delete(this.server);
        const why = body.message ? `: ${body.message} (${body.error ?? `HTTP${res.status}`})` : "";
        throw new CliError(`Your session for ${this.server} has expired or was revoked${why}\nRun \`ofpds auth login\` to sign in again`, EXIT.auth, body.error ?? "SessionExpired");
      }
      const next: SavedSession = { did: body.did ?? current.did, handle: body.handle ?? current.handle, accessJwt: body.accessJwt, refreshJwt: body.refreshJwt };
      this.store.set(this.server, next);
      return next;
    });
  }

  private async send(method: "GET" | "POST", nsid: string, opts: CallOptions, token: string | undefined): Promise<Response> {
    const url = new URL(`${this.server}/xrpc/${nsid}`);
    for (const [k, v] of Object.entries(opts.params ?? {})) {
      if (v === undefined) continue;
      for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(item));
    }
    const headers: Record<string, string> = { Accept: "application/json" };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (opts.body !== undefined) headers["Content-Type"] = "application/json";
    if (opts.raw) headers["Content-Type"] = opts.raw.contentType;
    try {
      return await fetch(url, {
        method,
        headers,
        body: opts.raw ? (opts.raw.bytes as Uint8Array<ArrayBuffer>) : opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: "error",
      });
    } catch (err) {
      const e = err as Error;
      if (e.name === "TimeoutError" || e.name === "AbortError") {
        throw new CliError(`${this.server} did not answer ${nsid} within ${this.timeoutMs} ms (Timeout)\nCheck that the server is healthy, or raise --timeout`, EXIT.unreachable, "Timeout");
      }
      throw new CliError(`Cannot reach ${this.server}: ${e.message} (Unreachable)\nCheck --server / OFPDS_SERVER, and that the server is running (\`ofpds serve\`)`, EXIT.unreachable, "Unreachable");
    }
  }

  private async parse<T>(nsid: string, res: Response): Promise<T> {
    const text = await res.text().catch(() => "");
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        if (res.ok) throw new CliError(`${this.server} answered ${nsid} with something that is not JSON\nCheck that --server points at an ofpds server`, EXIT.runtime, "InvalidResponse");
      }
    }
    if (!res.ok) throw cliErrorFromResponse(res.status, body, { nsid, server: this.server, retryAfter: res.headers.get("retry-after") });
    return (body ?? {}) as T;
  }
}

/** The client for a verb's parsed args (`--server`, `--timeout`); store warnings go to the output. */
export function clientFrom(args: { server?: string; timeout?: string }, out: Output): XrpcClient {
  const store = new SessionStore(undefined, (m) => out.warn(m));
  return new XrpcClient(resolveServer(args.server, store), parseTimeout(args.timeout), store);
}
