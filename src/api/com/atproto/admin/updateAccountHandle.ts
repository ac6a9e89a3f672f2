// com.atproto.admin.updateAccountHandle: an admin moves a non-admin account's handle with the 02 §11 rules (10 §6).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { forbidden } from "../../../../errors.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"com.atproto.admin.updateAccountHandle">): Promise<MethodResult<"com.atproto.admin.updateAccountHandle">> {
  if (auth.kind !== "account") throw forbidden();
  await ctx.services.adminAccounts.updateHandle(auth.did, input.did, input.handle);
}
