// net.openfederation.community.cancelTransfer: the owner lifts the freeze of a pending transfer (04 §8).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.community.cancelTransfer">): Promise<MethodResult<"net.openfederation.community.cancelTransfer">> {
  if (auth.kind !== "account") throw authRequired();
  return ctx.services.communityTransfers.cancelTransfer(input.did, auth.did);
}
