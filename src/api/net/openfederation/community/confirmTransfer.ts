// net.openfederation.community.confirmTransfer: the destination reports completion; the community becomes `migrated` (04 §8).
import type { HandlerArgs } from "../../../../xrpc/types.ts";

export async function handler({ ctx, input }: HandlerArgs<unknown, { did: string; transferToken: string }>) {
  return ctx.services.communityTransfers.confirmTransfer(input.did, input.transferToken);
}
