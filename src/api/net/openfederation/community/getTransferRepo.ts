// net.openfederation.community.getTransferRepo: the repo CAR at the transfer's root, for the token holder (04 §8).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { rawOutput } from "../../../../xrpc/types.ts";

export async function handler({ ctx, input }: MethodArgs<"net.openfederation.community.getTransferRepo">): Promise<MethodResult<"net.openfederation.community.getTransferRepo">> {
  return rawOutput("application/vnd.ipld.car", await ctx.services.communityTransfers.getTransferRepo(input.did, input.transferToken));
}
