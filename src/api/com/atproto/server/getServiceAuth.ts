// com.atproto.server.getServiceAuth: an ES256K inter-service JWT signed with the caller's signing key (03 §8).
import type { HandlerArgs } from "../../../../xrpc/types.ts";
import { invalidToken } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, params, auth }: HandlerArgs<{ aud: string; exp?: number; lxm?: string }>) {
  if (auth.kind !== "account") throw invalidToken();
  return { token: await ctx.services.lifecycle.serviceAuth(auth, params) };
}
