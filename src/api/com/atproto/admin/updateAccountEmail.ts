// com.atproto.admin.updateAccountEmail: an admin sets a non-admin account's email (01 §4 rules, unique; 10 §6).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { forbidden } from "../../../../errors.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"com.atproto.admin.updateAccountEmail">): Promise<MethodResult<"com.atproto.admin.updateAccountEmail">> {
  if (auth.kind !== "account") throw forbidden();
  await ctx.services.adminAccounts.updateEmail(auth.did, input.account, input.email);
}
