// The "no local route" hook of the dispatcher (10 §1.1): protected NSIDs → 404, the atproto-proxy header or the
// default route picks the service, the caller is authenticated and gated, then src/proxy forwards the request.
import type { AppContext } from "../context.ts";
import type { AccountStatus } from "../caller.ts";
import { statusError } from "../account/views.ts";
import { looksLikeServiceAuth } from "../identity/service-auth.ts";
import type { ProxyConfig } from "../config/types.ts";
import { CREATE_REPORT, defaultRoute, isProtectedNsid, proxiesLocalMethod } from "../proxy/routing.ts";
import type { IpRateLimiter } from "./ratelimit/limiter.ts";
import { parseProxyHeader } from "../proxy/header.ts";
import type { LexiconRegistry } from "../lexicon/registry.ts";
import { authenticate } from "./auth.ts";
import { checkContentLength, mimeType, readBodyCapped } from "./body.ts";
import { authRequired, invalidRequest, invalidToken, methodNotFound, XrpcError } from "./errors.ts";
import { validateJsonInput } from "./validation.ts";

/** 10 §1.3: proxied POST bodies up to 1 MiB. */
export const PROXY_BODY_MAX_BYTES = 1024 * 1024;
const PUSH = new Set(["app.bsky.notification.registerPush", "app.bsky.notification.unregisterPush"]);
/** 01 §9.3 / 10 §1.1: statuses that may call a proxied method besides `approved` */
const RESTRICTED: readonly AccountStatus[] = ["suspended", "takendown", "disabled"];

export interface ProxyRequestState {
  id: string;
  ip: string;
  /** set once a target is chosen: the log line's `proxyTo` (`did#service`) */
  proxyTo?: string;
  /** the global IP limiter was skipped (isProxyBound) */
  proxyBound?: boolean;
}

/**
 * Decided before dispatch (app.ts): will this request be proxied, so that it counts against the per-account `proxy`
 * limiter instead of the global IP one (10 §1.5)? Only requests with credentials qualify; those that then fail
 * before authentication succeeds are charged to the IP after all (proxyRequest).
 */
export function isProxyBound(path: string, headers: Headers, localNsids: ReadonlySet<string>, config: ProxyConfig): boolean {
  if (!path.startsWith("/xrpc/") || !headers.has("authorization")) return false;
  const nsid = path.slice("/xrpc/".length);
  if (isProtectedNsid(nsid)) return false;
  return !localNsids.has(nsid) || proxiesLocalMethod(nsid, headers.get("atproto-proxy"), config);
}

/** Who may call a proxied method; the caller's DID. */
async function proxyCaller(ctx: AppContext, req: Request, nsid: string): Promise<string> {
  const header = req.headers.get("authorization");
  // a partner app's key (06 §7) is not a user: it never acts towards another service
  if (header === null && req.headers.has("x-partner-key")) throw invalidToken("A partner key cannot call proxied methods");
  if (header === null) throw authRequired();
  const token = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  // an inter-service JWT (ES256K/ES256) is not a session of ours
  if (token !== undefined && looksLikeServiceAuth(token)) throw invalidToken();
  const auth = await authenticate({ kind: "optional" }, req, ctx);
  if (auth.kind !== "account") throw invalidToken("An access token is required");
  const allowed = auth.status === "approved" || (nsid === CREATE_REPORT && RESTRICTED.includes(auth.status)) || (PUSH.has(nsid) && auth.status === "pending");
  if (!allowed) throw statusError(auth.status);
  // chat needs a full session or a privileged app password (the reference's 400, so clients keep the session)
  if (nsid.startsWith("chat.bsky.") && auth.scope === "com.atproto.appPass") throw new XrpcError(400, "InvalidToken", "Bad token method");
  return auth.did;
}

/** The query string exactly as received, `?` included (URL parsing could re-encode it). */
const rawQuery = (url: string): string => {
  const q = url.indexOf("?");
  return q === -1 ? "" : url.slice(q);
};

export async function proxyRequest(
  ctx: AppContext,
  registry: LexiconRegistry,
  limiter: IpRateLimiter,
  req: Request,
  state: ProxyRequestState,
  setHeaders: Record<string, string>,
  nsid: string,
): Promise<Response> {
  let callerDid: string;
  let service: { did: string; serviceId: string };
  try {
    ({ callerDid, service } = await routeAndAuthenticate(ctx, req, nsid));
  } catch (err) {
    // refused before a caller is known: the request is charged to its IP as the global limiter would have
    if (state.proxyBound) {
      const rl = await limiter.consume("global", state.ip);
      if (rl) Object.assign(setHeaders, rl);
    }
    throw err;
  }
  const rl = await limiter.consume("proxy", callerDid);
  if (rl) Object.assign(setHeaders, rl);
  return forward(ctx, registry, req, state, nsid, callerDid, service);
}

/** Rules 2-5 of §1.1 and the caller; throws before any connection is made. */
async function routeAndAuthenticate(ctx: AppContext, req: Request, nsid: string): Promise<{ callerDid: string; service: { did: string; serviceId: string } }> {
  // only NSID-shaped paths leave this server (no `/`, `..` or `%` can reach the upstream's path)
  if (!/^[a-zA-Z][a-zA-Z0-9-]*(\.[a-zA-Z0-9-]+)+$/.test(nsid) || nsid.length > 317) throw methodNotFound(`Method not found: ${nsid.slice(0, 317)}`);
  // rule 2: protected namespaces are never proxied, header or not
  if (isProtectedNsid(nsid)) throw methodNotFound(`Method not found: ${nsid}`);
  if (req.headers.get("upgrade")?.toLowerCase() === "websocket") throw invalidRequest("WebSocket upgrades are not proxied");
  if (req.method !== "GET" && req.method !== "POST") throw invalidRequest("XRPC requests only supports GET and POST");

  // rules 3-5: the header wins, else the default route's configured service
  const raw = req.headers.get("atproto-proxy");
  let service: { did: string; serviceId: string };
  if (raw !== null) service = parseProxyHeader(raw);
  else {
    const route = defaultRoute(nsid, ctx.config.proxy);
    if (!route) throw methodNotFound(`Method not found: ${nsid}`);
    if (!route.service) throw methodNotFound(route.missing);
    service = { did: route.service.did, serviceId: route.serviceId };
  }

  return { callerDid: await proxyCaller(ctx, req, nsid), service };
}

async function forward(ctx: AppContext, registry: LexiconRegistry, req: Request, state: ProxyRequestState, nsid: string, callerDid: string, service: { did: string; serviceId: string }): Promise<Response> {
  let body: Uint8Array | undefined;
  if (req.method === "POST") {
    checkContentLength(req, PROXY_BODY_MAX_BYTES);
    body = await readBodyCapped(req, PROXY_BODY_MAX_BYTES);
  }
  // 10 §6: a report is validated against its lexicon before anything leaves this server
  if (nsid === CREATE_REPORT) {
    if (req.method !== "POST") throw invalidRequest(`Incorrect HTTP method (${req.method}) expected POST`, { Allow: "POST" });
    if (mimeType(req.headers.get("content-type")) !== "application/json") throw invalidRequest("Wrong request encoding (Content-Type), expected application/json");
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
    } catch {
      throw invalidRequest("Request body is not valid JSON");
    }
    validateJsonInput(registry, nsid, parsed);
  }
  state.proxyTo = `${service.did}#${service.serviceId}`;
  return ctx.services.proxy.forward({ nsid, method: req.method as "GET" | "POST", search: rawQuery(req.url), headers: req.headers, body, callerDid, service, requestId: state.id });
}
