// net.openfederation.identity.setExternalKey: publish or rotate (same rkey) an external key in the caller's repo (06 §6).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.identity.setExternalKey">): Promise<MethodResult<"net.openfederation.identity.setExternalKey">> {
  if (auth.kind !== "account") throw authRequired();
  return ctx.services.externalKeys.set(auth.did, input);
}
