// net.openfederation.community.listJoinRequests: community.member.write; pending unless `status` (04 §5).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";
import { listJoinRequests } from "../../../../community/membership-lists.ts";

export async function handler({ ctx, params, auth }: MethodArgs<"net.openfederation.community.listJoinRequests">): Promise<MethodResult<"net.openfederation.community.listJoinRequests">> {
  if (auth.kind !== "account") throw authRequired();
  return listJoinRequests(ctx, params.did, auth, params);
}
