// com.atproto.server.deactivateAccount: T6 (06 §3); `deleteAfter` is informational (kept in the audit row).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { invalidToken } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"com.atproto.server.deactivateAccount">): Promise<MethodResult<"com.atproto.server.deactivateAccount">> {
  if (auth.kind !== "account") throw invalidToken();
  await ctx.services.lifecycle.deactivate(auth.did, input?.deleteAfter);
}
