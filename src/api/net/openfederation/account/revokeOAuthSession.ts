// net.openfederation.account.revokeOAuthSession: one OAuth session by id, or every session of a client (11 §9.2).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { invalidToken } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth, req }: MethodArgs<"net.openfederation.account.revokeOAuthSession">): Promise<MethodResult<"net.openfederation.account.revokeOAuthSession">> {
  if (auth.kind !== "account") throw invalidToken();
  return { success: true, revoked: await ctx.services.oauth.sessions.revoke(auth.did, input, req.ip) };
}
