// com.atproto.sync.subscribeRepos: validates the upgrade request and hands the socket to the FirehoseService.
import type { Server, ServerWebSocket } from "bun";
import type { AppContext } from "../../../../context.ts";
import { invalidRequest, XrpcError } from "../../../../xrpc/errors.ts";
import { cidrMatcher } from "../../../../xrpc/ratelimit/ip.ts";
import type { Subscription } from "../../../../firehose/index.ts";

export const SUBSCRIBE_REPOS_PATH = "/xrpc/com.atproto.sync.subscribeRepos";

/**
 * Builds the upgrade handler once per app. It returns undefined when the socket was upgraded (Bun then owns
 * the connection) and throws an XrpcError otherwise. The socket callbacks travel in `data`, which Elysia's
 * shared websocket handler dispatches to (`ws.data.open(ws)` etc.).
 */
export function createSubscribeReposHandler(ctx: AppContext) {
  const { rateLimits } = ctx.config;
  const exempt = cidrMatcher(rateLimits.exemptCidrs);
  return (request: Request, server: Server<unknown> | null | undefined, ip: string, url: URL): undefined => {
    const firehose = ctx.services.firehose;
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket" || !request.headers.get("sec-websocket-key") || !server) {
      throw invalidRequest("WebSocket upgrade required");
    }
    // an empty value is an absent cursor (spec 10 §8; the stock consumer sends `?cursor=` on a fresh start)
    const raw = url.searchParams.getAll("cursor").filter((v) => v !== "");
    if (raw.length > 1) throw invalidRequest("cursor may only be given once");
    if (raw.length === 1 && !/^\d{1,15}$/.test(raw[0]!)) throw invalidRequest("cursor must be a non-negative integer");
    const cursor = raw.length === 1 ? Number(raw[0]) : undefined;
    if (ctx.lifecycle.shuttingDown) throw new XrpcError(503, "ServiceUnavailable", "Server is shutting down");
    // The per-IP subscription cap (06 §11) follows the IP limiters: off when limits are disabled or the IP is exempt.
    const capped = rateLimits.enabled && !exempt(ip);
    if (!firehose.admit(ip, capped)) {
      throw new XrpcError(429, "RateLimitExceeded", "Too many firehose subscriptions from this address", undefined, { "Retry-After": "30" });
    }
    let sub: Subscription | undefined;
    const upgraded = server.upgrade(request, {
      data: {
        open: (ws: ServerWebSocket<unknown>) => void (sub = firehose.open(ws, ip, cursor)),
        message: () => {}, // consumers have nothing to say; messages are ignored
        drain: () => sub?.onDrain(),
        close: () => (sub ? firehose.closed(sub) : firehose.release(ip)),
      },
    });
    if (!upgraded) {
      firehose.release(ip);
      throw invalidRequest("WebSocket upgrade required");
    }
    return undefined;
  };
}
