// net.openfederation.community.voteOnProposal: a direct for/against vote; evaluation and application in the same commit (spec 05 §5).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.community.voteOnProposal">): Promise<MethodResult<"net.openfederation.community.voteOnProposal">> {
  return ctx.services.governance.voteOnProposal(input.communityDid, auth, { proposalRkey: input.proposalRkey, vote: input.vote as "for" | "against" });
}
