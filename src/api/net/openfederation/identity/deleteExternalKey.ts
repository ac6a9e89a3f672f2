// net.openfederation.identity.deleteExternalKey: remove one of the caller's external keys (06 §6).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.identity.deleteExternalKey">): Promise<MethodResult<"net.openfederation.identity.deleteExternalKey">> {
  if (auth.kind !== "account") throw authRequired();
  await ctx.services.externalKeys.delete(auth.did, input.rkey);
  return { success: true };
}
