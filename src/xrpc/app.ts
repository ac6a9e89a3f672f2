// buildXrpcApp: the Elysia app with the request pipeline of spec 00 §4 in front of the XRPC route table.
import { forwardedForNote } from "../operator/server-notes.ts";
import { Elysia } from "elysia";
import type { LexiconDoc } from "@atproto/lexicon";
import type { AppContext } from "../context.ts";
import { errorResponse, invalidRequest, methodNotFound, notFound, XrpcError } from "./errors.ts";
import { corsHeaders, securityHeaders } from "./headers.ts";
import { createLexiconRegistry } from "../lexicon/registry.ts";
import { IpRateLimiter } from "./ratelimit/limiter.ts";
import { clientIp } from "./ratelimit/ip.ts";
import { MemoryRateLimitStore, type RateLimitStore } from "../ratelimit/store.ts";
import { ROUTES } from "./routes.ts";
import { createDispatcher, type RequestState } from "./dispatch.ts";
import { isProxyBound } from "./proxy.ts";
import type { RouteEntry } from "./types.ts";
import { healthResponse } from "./health.ts";
import { bannerResponse } from "../api/banner.ts";
import { didJsonResponse } from "./well-known.ts";
import { SDK_PATH, sdkResponse } from "./sdk-asset.ts";
import { DEV_JOBS_PATH, devRunJobResponse } from "../jobs/dev-trigger.ts";
import { atprotoDidResponse } from "../account/handles.ts";
import { createSubscribeReposHandler, SUBSCRIBE_REPOS_PATH } from "../api/com/atproto/sync/subscribeRepos.ts";
import { oauthRoutes } from "./oauth-routes.ts";

/** spec 10 §8 item 6, byte for byte */
const ROBOTS_TXT = "User-agent: *\nAllow: /";
/** Request targets longer than this are refused (spec 06 §12). */
export const MAX_URL_BYTES = 8 * 1024;

export interface XrpcAppOptions {
  /** route table (default ROUTES); tests add fixture methods */
  routes?: RouteEntry[];
  /** extra lexicon documents (test fixtures) */
  lexicons?: LexiconDoc[];
  /** rate-limit counters (default in-memory) */
  rateLimitStore?: RateLimitStore;
  /** limiter clock (default: the server's clock, services.clock, so a --dev test clock moves the windows too) */
  now?: () => number;
}

/**
 * RFC 9110 Host: a DNS name or IPv4 literal, or a bracketed IPv6 literal, with an optional port; no userinfo.
 * Underscores are allowed inside a name: container networks name services that way (`ofpds_pds:8080`), and
 * health checks from a sidecar must not be refused.
 */
const VALID_HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9._-]{0,252}[A-Za-z0-9])?)(?::\d{1,5})?$/;

export function buildXrpcApp(ctx: AppContext, opts: XrpcAppOptions = {}) {
  const { config, logger } = ctx;
  const registry = createLexiconRegistry(opts.lexicons);
  const limiter = new IpRateLimiter(config.rateLimits, opts.rateLimitStore ?? new MemoryRateLimitStore(), opts.now ?? ctx.services.clock);
  const dispatch = createDispatcher(ctx, registry, limiter, opts.routes ?? ROUTES);
  const localNsids = new Set((opts.routes ?? ROUTES).map((r) => r.nsid));
  const baseHeaders = securityHeaders(config);
  const states = new WeakMap<Request, RequestState>();
  const subscribeRepos = createSubscribeReposHandler(ctx);
  const noteForwardedFor = forwardedForNote(ctx.db, config.trustProxy, ctx.services.clock);

  /** The single request log line (09 §5): method, path without query, status, duration, request id. */
  const logOnce = (state: RequestState, status: number) => {
    if (state.logged) return;
    state.logged = true;
    logger.info("request", {
      method: state.method,
      path: state.path,
      status,
      durationMs: Math.round((performance.now() - state.start) * 10) / 10,
      requestId: state.id,
      ...(state.proxyTo ? { proxyTo: state.proxyTo } : {}),
    });
  };
  const finish = (state: RequestState, res: Response) => {
    logOnce(state, res.status);
    return res;
  };

  return (
    new Elysia()
      .onRequest(async ({ request, set, server }) => {
        // Security: a missing, empty or malformed Host (e.g. `a@b`) is refused before anything parses the URL
        // (it used to reach `new URL` and become a 500); HTTP/1.0 without Host is refused the same way.
        if (!VALID_HOST.test(request.headers.get("host") ?? "")) {
          const id = crypto.randomUUID();
          logger.info("request", { method: request.method, path: null, status: 400, requestId: id, problem: "invalid Host header" });
          return errorResponse(invalidRequest("Invalid or missing Host header"), logger, id);
        }
        const url = new URL(request.url);
        const state: RequestState = {
          id: crypto.randomUUID(),
          start: performance.now(),
          method: request.method,
          path: url.pathname,
          url,
          ip: "unknown",
          logged: false,
        };
        states.set(request, state);
        // Every response (including short-circuits and errors) gets these via Elysia's set.headers merge.
        Object.assign(set.headers, baseHeaders, corsHeaders(state.path, request.headers.get("origin"), config.corsOrigins), {
          "X-Request-Id": state.id,
        });
        // 11 §4: every response to a request carrying DPoP (errors included) names the current nonce
        if (request.headers.has("dpop")) set.headers["DPoP-Nonce"] = ctx.services.oauth.dpop.currentNonce();

        if (state.path === "/xrpc/_health" || state.path === "/health") return finish(state, await healthResponse(ctx));
        // spec 10 §8: the XRPC surface is public, so crawlers are allowed (as the reference PDS answers)
        if (state.path === "/robots.txt" && request.method === "GET") return finish(state, new Response(ROBOTS_TXT, { status: 200, headers: { "Content-Type": "text/plain; charset=utf-8" } }));
        if (request.method === "OPTIONS") return finish(state, new Response(null, { status: 204 }));
        // --dev only (never registered otherwise): run a background job now, for deterministic end-to-end tests
        if (config.dev && request.method === "POST" && state.path.startsWith(DEV_JOBS_PATH)) return finish(state, await devRunJobResponse(ctx.services.jobs, state.path));
        try {
          if (request.url.length - url.origin.length > MAX_URL_BYTES) throw invalidRequest("URL too long");
          state.ip = clientIp(server?.requestIP(request)?.address, request.headers.get("x-forwarded-for"), config.trustProxy);
          noteForwardedFor(request.headers.get("x-forwarded-for"));
          // 10 §1.5: a request bound for proxying counts against the per-account limiter instead (src/xrpc/proxy.ts)
          state.proxyBound = isProxyBound(state.path, request.headers, localNsids, config.proxy);
          const rl = state.proxyBound ? undefined : await limiter.consume("global", state.ip);
          if (rl) Object.assign(set.headers, rl);
        } catch (err) {
          return finish(state, errorResponse(err, logger, state.id));
        }
        return undefined;
      })
      .get("/", ({ request }) => finish(states.get(request)!, bannerResponse(config)))
      .use(oauthRoutes(ctx, { ipOf: (r) => states.get(r)?.ip ?? "unknown", done: (r, res) => (states.has(r) ? finish(states.get(r)!, res) : res), limit: (bucket, r) => limiter.consume(bucket, states.get(r)?.ip ?? "unknown").then(() => {}) }))
      .get(SDK_PATH, ({ request }) => finish(states.get(request)!, sdkResponse(request.headers.get("if-none-match"))))
      .get("/.well-known/did.json", async ({ request, set }) => {
        const state = states.get(request)!;
        const res = await didJsonResponse(ctx, limiter, state.ip, set.headers as Record<string, string>, request.headers.get("host")).catch((err) => errorResponse(err, logger, state.id));
        return finish(state, res);
      })
      .get("/.well-known/atproto-did", async ({ request, set }) => {
        const state = states.get(request)!;
        try {
          const rl = await limiter.consume("discovery", state.ip);
          if (rl) Object.assign(set.headers, rl);
          return finish(state, await atprotoDidResponse({ handleDomain: ctx.config.handleDomain, handles: ctx.services.handles }, request.headers.get("host")));
        } catch (err) {
          return finish(state, errorResponse(err, logger, state.id));
        }
      })
      // The firehose is a WebSocket, not an XRPC query: it bypasses dispatch (logged as 101 once upgraded).
      .get(SUBSCRIBE_REPOS_PATH, ({ request, server }) => {
        const state = states.get(request)!;
        try {
          subscribeRepos(request, server, state.ip, state.url);
          logOnce(state, 101);
          return undefined;
        } catch (err) {
          return finish(state, errorResponse(err, logger, state.id));
        }
      })
      .all(
        "/xrpc/*",
        async ({ request, set }) => {
          const state = states.get(request)!;
          return finish(state, await dispatch(request, state, set.headers as Record<string, string>));
        },
        { parse: "none" },
      )
      .onError(({ code, error, request }) => {
        const state = states.get(request);
        const id = state?.id ?? "unknown";
        let err: unknown = error;
        if (code === "NOT_FOUND") err = state?.path.startsWith("/xrpc/") ? methodNotFound() : notFound();
        else if (code === "PARSE" || code === "VALIDATION" || code === "INVALID_COOKIE_SIGNATURE") err = invalidRequest("Invalid request");
        else if (!(error instanceof XrpcError)) err = error;
        const res = errorResponse(err, logger, id);
        if (state) logOnce(state, res.status);
        return res;
      })
      // Responses from routes registered outside this module (well-known, SDK) are logged here.
      .onAfterResponse(({ request, set, responseValue }) => {
        const state = states.get(request);
        if (!state || state.logged) return;
        const status = responseValue instanceof Response ? responseValue.status : typeof set.status === "number" ? set.status : 200;
        logOnce(state, status);
      })
  );
}

