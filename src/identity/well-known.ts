// GET /.well-known/did.json (spec 02 §9): the service DID document, behind the per-IP discovery limiter.
import type { AppContext } from "../context.ts";
import { jsonResponse } from "../xrpc/errors.ts";
import type { IpRateLimiter } from "../xrpc/ratelimit/limiter.ts";

/**
 * Answers the service DID document; CORS `*` comes from the pipeline (every /.well-known/ path is public).
 * TODO(did:web communities, 02 §10): a Host equal to a hosted community's domain answers that community's document.
 * Throws RateLimitExceeded (an XrpcError) for the caller to render.
 */
export async function didJsonResponse(ctx: AppContext, limiter: IpRateLimiter, ip: string, headers: Record<string, string>): Promise<Response> {
  const rl = await limiter.consume("discovery", ip);
  if (rl) Object.assign(headers, rl);
  return jsonResponse(200, await ctx.services.identity.serviceDidDocument(), { "Cache-Control": "public, max-age=300" });
}
