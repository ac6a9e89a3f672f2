// com.atproto.admin.getAccountInfo: one account's admin view with our `accountStatus` and `roles` (10 §6).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import type { AdminAccountView } from "../../../../account/admin-accounts.ts";

export async function handler({ ctx, params }: MethodArgs<"com.atproto.admin.getAccountInfo">): Promise<MethodResult<"com.atproto.admin.getAccountInfo"> & AdminAccountView> {
  return ctx.services.adminAccounts.info(params.did);
}
