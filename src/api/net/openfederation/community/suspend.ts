// net.openfederation.community.suspend: staff(admin) read-only freeze (04 §6).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.community.suspend">): Promise<MethodResult<"net.openfederation.community.suspend">> {
  if (auth.kind !== "account") throw authRequired();
  return ctx.services.communityModeration.suspend(input.did, auth.did, input.reason);
}
