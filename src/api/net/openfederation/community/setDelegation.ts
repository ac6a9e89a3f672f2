// net.openfederation.community.setDelegation: delegate your vote to an eligible voter (spec 05 §7).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.community.setDelegation">): Promise<MethodResult<"net.openfederation.community.setDelegation">> {
  return ctx.services.governance.setDelegation(input.communityDid, auth, input.delegateDid);
}
