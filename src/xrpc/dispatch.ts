// The XRPC part of the pipeline (spec 00 §4): method lookup → verb → body size → endpoint rate limit →
// auth → input validation → handler → output check. Every outcome, success or error, leaves as a Response.
import type { AppContext } from "../context.ts";
import { authenticate, isLimitExemptStaff, SUPPORTED_GUARDS } from "./auth.ts";
import { checkContentLength, JSON_BODY_MAX_BYTES, mimeType, readBodyCapped } from "./body.ts";
import { errorResponse, internalError, invalidRequest, JSON_CONTENT_TYPE, STANDARD_ERROR_NAMES } from "./errors.ts";
import { DomainError } from "../errors.ts";
import type { LexiconRegistry, MethodDef } from "../lexicon/registry.ts";
import type { IpRateLimiter } from "./ratelimit/limiter.ts";
import { checkOutput, decodeQueryParams, validateJsonInput, validateParams } from "./validation.ts";
import type { RawOutput, RequestInfo, RouteEntry } from "./types.ts";
import { proxyRequest } from "./proxy.ts";
import { proxiesLocalMethod } from "../proxy/routing.ts";

export interface RequestState {
  id: string;
  start: number;
  method: string;
  path: string;
  url: URL;
  ip: string;
  logged: boolean;
  /** a proxied request's target, `did#service` (10 §1.5 log line) */
  proxyTo?: string;
  /** the global IP limiter was skipped for this request: it is bound for proxying (src/xrpc/proxy.ts) */
  proxyBound?: boolean;
}

interface ResolvedRoute {
  entry: RouteEntry;
  def: MethodDef;
  verb: "GET" | "POST";
  declaredErrors: Set<string>;
}

const isRaw = (v: unknown): v is RawOutput => typeof v === "object" && v !== null && (v as RawOutput).raw === true;

/** Resolve the route table against the lexicons once, failing fast on a method without a lexicon or verifier. */
function resolveRoutes(registry: LexiconRegistry, routes: RouteEntry[]): Map<string, ResolvedRoute> {
  const out = new Map<string, ResolvedRoute>();
  for (const entry of routes) {
    const def = registry.method(entry.nsid);
    if (!def) throw new Error(`route ${entry.nsid}: no query/procedure lexicon`);
    if (!SUPPORTED_GUARDS.has(entry.auth.kind)) throw new Error(`route ${entry.nsid}: auth guard "${entry.auth.kind}" not supported yet`);
    if (out.has(entry.nsid)) throw new Error(`route ${entry.nsid}: listed twice`);
    const declaredErrors = new Set(("errors" in def ? (def.errors ?? []) : []).map((e) => e.name));
    out.set(entry.nsid, { entry, def, verb: def.type === "procedure" ? "POST" : "GET", declaredErrors });
  }
  return out;
}

export function createDispatcher(ctx: AppContext, registry: LexiconRegistry, limiter: IpRateLimiter, routes: RouteEntry[]) {
  const table = resolveRoutes(registry, routes);
  const strictOutputs = ctx.config.env !== "production";

  async function run(req: Request, state: RequestState, setHeaders: Record<string, string>): Promise<Response> {
    // 1. method lookup
    const nsid = state.path.slice("/xrpc/".length);
    const route = table.get(nsid);
    // no local route: proxied, or 404 (10 §1.1); the preference methods may be proxied by header (§1.6)
    // no local route, or a preference method whose atproto-proxy names another service than the AppView (10 §1.6)
    if (!route || proxiesLocalMethod(nsid, req.headers.get("atproto-proxy"), ctx.config.proxy)) return proxyRequest(ctx, registry, limiter, req, state, setHeaders, nsid);
    const { entry, def } = route;

    // 2. verb
    if (req.method !== route.verb) {
      throw invalidRequest(`Incorrect HTTP method (${req.method}) expected ${route.verb}`, { Allow: route.verb });
    }
    if (def.type === "subscription") throw invalidRequest("This method requires a WebSocket connection");

    // 3. body size (declared length only; streamed reads are capped again in step 6)
    const input = def.type === "procedure" ? def.input : undefined;
    const isJson = !input || input.encoding === "application/json";
    const cap = isJson
      ? JSON_BODY_MAX_BYTES
      : (entry.body?.maxBytes(ctx.config) ??
        (input.encoding === "application/vnd.ipld.car" ? ctx.config.importMaxBytes : ctx.config.blobMaxBytes));
    const tooLargeName = isJson ? undefined : entry.body?.tooLargeError;
    if (def.type === "procedure") checkContentLength(req, cap, tooLargeName);

    // 4. endpoint rate limit (its headers replace the global ones); staff are exempt from create/registration
    const staffExempt = (entry.rateLimit === "create" || entry.rateLimit === "registration") && (await isLimitExemptStaff(req, ctx));
    // partner.register: a partner backend (no Origin) is bounded by its key's own limit alone (06 §7)
    const limited = entry.rateLimit !== undefined && (!entry.rateLimitBrowserOnly || req.headers.has("origin"));
    if (entry.rateLimit && limited && !staffExempt) {
      const rl = await limiter.consume(entry.rateLimit, state.ip);
      if (rl) Object.assign(setHeaders, rl);
    }

    // 5. authentication
    const auth = await authenticate(entry.auth, req, ctx);

    // 6. input validation
    const params = validateParams(registry, nsid, decodeQueryParams(nsid, def, state.url.searchParams));
    let body: unknown;
    if (input) {
      const mime = mimeType(req.headers.get("content-type"));
      if (!mime) throw invalidRequest("Request encoding (Content-Type) required but not provided");
      if (input.encoding === "application/json") {
        if (mime !== "application/json") throw invalidRequest(`Wrong request encoding (Content-Type): ${mime}, expected application/json`);
        const bytes = await readBodyCapped(req, cap);
        let parsed: unknown;
        try {
          parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes), refuseLoneSurrogates);
        } catch (err) {
          if (err === LONE_SURROGATE) throw invalidRequest("Request body contains a lone UTF-16 surrogate (\\uD800-\\uDFFF without its pair)");
          throw invalidRequest("Request body is not valid JSON");
        }
        entry.precheck?.(parsed);
        body = validateJsonInput(registry, nsid, parsed);
      } else {
        if (input.encoding !== "*/*" && mime !== input.encoding) {
          throw invalidRequest(`Wrong request encoding (Content-Type): ${mime}, expected ${input.encoding}`);
        }
        body = entry.body?.stream
          ? { encoding: mime, stream: req.body }
          : { encoding: mime, bytes: await readBodyCapped(req, cap, tooLargeName) };
      }
    }

    // 7. handler
    const info: RequestInfo = { requestId: state.id, ip: state.ip, headers: req.headers, logger: ctx.logger.child({ requestId: state.id }) };
    let result: unknown;
    try {
      result = await entry.handler({ ctx, params, input: body, auth, req: info });
    } catch (err) {
      if (err instanceof DomainError && !STANDARD_ERROR_NAMES.has(err.error) && !route.declaredErrors.has(err.error)) {
        ctx.logger.error("handler returned an error name its lexicon does not declare", { nsid, error: err.error, requestId: state.id });
      }
      throw err;
    }

    // 8. output
    const extra: Record<string, string> = entry.csp ? { "Content-Security-Policy": entry.csp } : {};
    if (isRaw(result)) {
      return new Response(result.body, { status: 200, headers: { "Content-Type": result.encoding, ...extra, ...result.headers } });
    }
    if (!def.output) {
      if (result !== undefined) ctx.logger.warn("handler returned a body for a method without output", { nsid, requestId: state.id });
      return new Response(null, { status: 200, headers: extra });
    }
    try {
      checkOutput(registry, nsid, result);
    } catch (err) {
      ctx.logger.error("handler output does not match its lexicon", {
        nsid,
        requestId: state.id,
        reason: err instanceof Error ? err.message : String(err),
      });
      if (strictOutputs) throw internalError();
    }
    return new Response(JSON.stringify(result), { status: 200, headers: { "Content-Type": JSON_CONTENT_TYPE, ...extra } });
  }

  return async (req: Request, state: RequestState, setHeaders: Record<string, string>): Promise<Response> => {
    try {
      return await run(req, state, setHeaders);
    } catch (err) {
      return errorResponse(err, ctx.logger, state.id);
    }
  };
}

const LONE_SURROGATE = Symbol("lone surrogate");
/**
 * JSON.parse reviver: JSON's \u escapes can spell a lone surrogate, which is not a Unicode string (AT data
 * model strings are UTF-8) and cannot be encoded as DAG-CBOR faithfully; keys are checked as well as values.
 */
function refuseLoneSurrogates(key: string, value: unknown): unknown {
  if (!key.isWellFormed() || (typeof value === "string" && !value.isWellFormed())) throw LONE_SURROGATE;
  return value;
}
