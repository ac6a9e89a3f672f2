// net.openfederation.community.setGovernanceModel: benevolent-dictator ↔ simple-majority (community.settings.write; spec 05 §4).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { actorDid } from "../../../../community/remote.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.community.setGovernanceModel">): Promise<MethodResult<"net.openfederation.community.setGovernanceModel">> {
  return ctx.services.governance.setGovernanceModel(input.communityDid, actorDid(auth), { governanceModel: input.governanceModel, ...(input.governanceConfig !== undefined ? { governanceConfig: input.governanceConfig as Record<string, unknown> } : {}) });
}
