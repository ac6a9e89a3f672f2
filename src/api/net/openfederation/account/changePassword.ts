// net.openfederation.account.changePassword: new password after the current one; every other session revoked (01 §9).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { invalidToken } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth, req }: MethodArgs<"net.openfederation.account.changePassword">): Promise<MethodResult<"net.openfederation.account.changePassword">> {
  if (auth.kind !== "account") throw invalidToken();
  await ctx.services.login.changePassword(auth.did, auth.sid, input, req.ip);
  return { success: true };
}
