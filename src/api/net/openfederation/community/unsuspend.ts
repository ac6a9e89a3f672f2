// net.openfederation.community.unsuspend: staff(admin) lifts the freeze (04 §6).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.community.unsuspend">): Promise<MethodResult<"net.openfederation.community.unsuspend">> {
  if (auth.kind !== "account") throw authRequired();
  return ctx.services.communityModeration.unsuspend(input.did, auth.did);
}
