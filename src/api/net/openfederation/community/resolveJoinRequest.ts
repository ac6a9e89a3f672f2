// net.openfederation.community.resolveJoinRequest: approve (member record) or reject, exactly once (04 §5).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.community.resolveJoinRequest">): Promise<MethodResult<"net.openfederation.community.resolveJoinRequest">> {
  if (auth.kind !== "account") throw authRequired();
  return ctx.services.membership.resolveJoinRequest(input.requestId, input.action, auth.did);
}
