// GET /.well-known/did.json (spec 02 §9): the service DID document, behind the per-IP discovery limiter.
import type { AppContext } from "../context.ts";
import { jsonResponse } from "./errors.ts";
import type { IpRateLimiter } from "./ratelimit/limiter.ts";

/**
 * Answers the service DID document; CORS `*` comes from the pipeline (every /.well-known/ path is public).
 * A Host equal to a hosted did:web community's domain answers that community's document instead (02 §9–§10).
 * Throws RateLimitExceeded (an DomainError) for the caller to render.
 */
export async function didJsonResponse(ctx: AppContext, limiter: IpRateLimiter, ip: string, headers: Record<string, string>, host: string | null = null): Promise<Response> {
  const rl = await limiter.consume("discovery", ip);
  if (rl) Object.assign(headers, rl);
  const community = await ctx.services.didWeb.hostedByDomain(host);
  if (community) return jsonResponse(200, await ctx.services.didWeb.documentFor(community), { "Cache-Control": "public, max-age=300" });
  return jsonResponse(200, await ctx.services.identity.serviceDidDocument(), { "Cache-Control": "public, max-age=300" });
}
