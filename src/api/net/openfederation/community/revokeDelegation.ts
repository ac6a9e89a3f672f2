// net.openfederation.community.revokeDelegation: drop your delegation (spec 05 §7).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.community.revokeDelegation">): Promise<MethodResult<"net.openfederation.community.revokeDelegation">> {
  return ctx.services.governance.revokeDelegation(input.communityDid, auth);
}
