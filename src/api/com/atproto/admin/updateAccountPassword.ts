// com.atproto.admin.updateAccountPassword: an admin sets a non-admin account's password; all its sessions end (10 §6).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { forbidden } from "../../../../errors.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"com.atproto.admin.updateAccountPassword">): Promise<MethodResult<"com.atproto.admin.updateAccountPassword">> {
  if (auth.kind !== "account") throw forbidden();
  await ctx.services.adminAccounts.updatePassword(auth.did, input.did, input.password);
}
