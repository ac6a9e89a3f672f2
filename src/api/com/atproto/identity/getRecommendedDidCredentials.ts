// com.atproto.identity.getRecommendedDidCredentials: the PLC fields an operation must keep to stay hosted here (02 §11).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { invalidToken } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, auth }: MethodArgs<"com.atproto.identity.getRecommendedDidCredentials">): Promise<MethodResult<"com.atproto.identity.getRecommendedDidCredentials">> {
  if (auth.kind !== "account") throw invalidToken();
  const row = await ctx.services.accounts.getRow(auth.did);
  if (!row) throw invalidToken();
  return ctx.services.identity.recommendedCredentials(auth.did, ctx.services.accounts.handleOf(row));
}
