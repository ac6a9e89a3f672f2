// com.atproto.server.requestEmailConfirmation: mails a `confirm_email` token to the account's address (10 §5.3).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { invalidToken } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, auth }: MethodArgs<"com.atproto.server.requestEmailConfirmation">): Promise<MethodResult<"com.atproto.server.requestEmailConfirmation">> {
  if (auth.kind !== "account") throw invalidToken();
  await ctx.services.emailFlows.requestConfirmation(auth.did);
}
