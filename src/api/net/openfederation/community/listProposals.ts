// net.openfederation.community.listProposals: proposals newest first, filtered by status (spec 05 §6).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export async function handler({ ctx, params, auth }: MethodArgs<"net.openfederation.community.listProposals">): Promise<MethodResult<"net.openfederation.community.listProposals">> {
  return ctx.services.governance.listProposals(params.communityDid, auth, params);
}
