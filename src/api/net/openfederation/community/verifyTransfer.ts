// net.openfederation.community.verifyTransfer: the destination checks a transfer token (04 §8); token in the body.
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export async function handler({ ctx, input }: MethodArgs<"net.openfederation.community.verifyTransfer">): Promise<MethodResult<"net.openfederation.community.verifyTransfer">> {
  return ctx.services.communityTransfers.verifyTransfer(input.did, input.transferToken);
}
