// net.openfederation.community.takedown: staff(admin) hides the community, under the export rule (04 §6, 06 §2).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.community.takedown">): Promise<MethodResult<"net.openfederation.community.takedown">> {
  if (auth.kind !== "account") throw authRequired();
  return ctx.services.communityModeration.takedown(input.did, auth.did, input.reason);
}
