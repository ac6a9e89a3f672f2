// net.openfederation.community.amendProposal: the proposer replaces the proposed record; votes reset to them (spec 05 §6).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.community.amendProposal">): Promise<MethodResult<"net.openfederation.community.amendProposal">> {
  return ctx.services.governance.amendProposal(input.communityDid, auth, input);
}
