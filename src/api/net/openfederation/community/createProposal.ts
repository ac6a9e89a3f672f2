// net.openfederation.community.createProposal: a proposal to change a protected collection or a role assignment (eligible voters; spec 05 §6).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.community.createProposal">): Promise<MethodResult<"net.openfederation.community.createProposal">> {
  return ctx.services.governance.createProposal(input.communityDid, auth, { ...input, action: input.action as "write" | "delete" });
}
