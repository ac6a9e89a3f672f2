// com.atproto.server.getServiceAuth: an ES256K inter-service JWT signed with the caller's signing key (03 §8).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { invalidToken } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, params, auth }: MethodArgs<"com.atproto.server.getServiceAuth">): Promise<MethodResult<"com.atproto.server.getServiceAuth">> {
  if (auth.kind !== "account") throw invalidToken();
  return { token: await ctx.services.lifecycle.serviceAuth(auth, params) };
}
