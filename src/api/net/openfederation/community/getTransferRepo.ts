// net.openfederation.community.getTransferRepo: the repo CAR at the transfer's root, for the token holder (04 §8).
import type { HandlerArgs } from "../../../../xrpc/types.ts";
import { rawOutput } from "../../../../xrpc/types.ts";

export async function handler({ ctx, input }: HandlerArgs<unknown, { did: string; transferToken: string }>) {
  return rawOutput("application/vnd.ipld.car", await ctx.services.communityTransfers.getTransferRepo(input.did, input.transferToken));
}
