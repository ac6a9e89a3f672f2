// net.openfederation.community.listJoinRequests: community.member.write; pending unless `status` (04 §5).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, params, auth }: MethodArgs<"net.openfederation.community.listJoinRequests">): Promise<MethodResult<"net.openfederation.community.listJoinRequests">> {
  if (auth.kind !== "account") throw authRequired();
  return ctx.services.membership.listJoinRequests(params.did, auth, params);
}
