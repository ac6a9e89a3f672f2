// net.openfederation.community.verifyTransfer: the destination checks a transfer token (04 §8); token in the body.
import type { HandlerArgs } from "../../../../xrpc/types.ts";

export async function handler({ ctx, input }: HandlerArgs<unknown, { did: string; transferToken: string }>) {
  return ctx.services.communityTransfers.verifyTransfer(input.did, input.transferToken);
}
