// net.openfederation.community.untakedown: staff(admin) restores the status held before the takedown (04 §6).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.community.untakedown">): Promise<MethodResult<"net.openfederation.community.untakedown">> {
  if (auth.kind !== "account") throw authRequired();
  return ctx.services.communityModeration.untakedown(input.did, auth.did);
}
