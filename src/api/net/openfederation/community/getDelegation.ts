// net.openfederation.community.getDelegation: a member's delegation both ways (spec 05 §7).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export async function handler({ ctx, params, auth }: MethodArgs<"net.openfederation.community.getDelegation">): Promise<MethodResult<"net.openfederation.community.getDelegation">> {
  return ctx.services.governance.getDelegation(params.communityDid, auth, params.memberDid);
}
