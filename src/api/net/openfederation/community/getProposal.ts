// net.openfederation.community.getProposal: one proposal and its tally (spec 05 §6).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export async function handler({ ctx, params, auth }: MethodArgs<"net.openfederation.community.getProposal">): Promise<MethodResult<"net.openfederation.community.getProposal">> {
  return ctx.services.governance.getProposal(params.communityDid, auth, params.rkey);
}
