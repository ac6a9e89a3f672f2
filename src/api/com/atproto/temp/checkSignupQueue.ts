// com.atproto.temp.checkSignupQueue: whether the caller's account is activated, else its place in the approval queue (10 §6).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { invalidToken } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, auth }: MethodArgs<"com.atproto.temp.checkSignupQueue">): Promise<MethodResult<"com.atproto.temp.checkSignupQueue">> {
  if (auth.kind !== "account") throw invalidToken();
  return ctx.services.accounts.signupQueue(auth.did);
}
