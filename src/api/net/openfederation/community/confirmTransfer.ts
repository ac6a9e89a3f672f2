// net.openfederation.community.confirmTransfer: the destination reports completion; the community becomes `migrated` (04 §8).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export async function handler({ ctx, input }: MethodArgs<"net.openfederation.community.confirmTransfer">): Promise<MethodResult<"net.openfederation.community.confirmTransfer">> {
  return ctx.services.communityTransfers.confirmTransfer(input.did, input.transferToken);
}
