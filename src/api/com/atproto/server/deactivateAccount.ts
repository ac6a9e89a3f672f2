// com.atproto.server.deactivateAccount: T6 (06 §3); `deleteAfter` is informational (kept in the audit row).
import type { HandlerArgs } from "../../../../xrpc/types.ts";
import { invalidToken } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: HandlerArgs<unknown, { deleteAfter?: string } | undefined>) {
  if (auth.kind !== "account") throw invalidToken();
  await ctx.services.lifecycle.deactivate(auth.did, input?.deleteAfter);
}
