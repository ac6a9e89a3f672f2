// com.atproto.server.confirmEmail: the mailed token confirms the account's current address (10 §5.3).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { invalidToken } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, auth, input }: MethodArgs<"com.atproto.server.confirmEmail">): Promise<MethodResult<"com.atproto.server.confirmEmail">> {
  if (auth.kind !== "account") throw invalidToken();
  await ctx.services.emailFlows.confirm(auth.did, { email: input.email, token: input.token });
}
