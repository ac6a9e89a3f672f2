// net.openfederation.community.cancelTransfer: the owner lifts the freeze of a pending transfer (04 §8).
import type { HandlerArgs } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: HandlerArgs<unknown, { did: string }>) {
  if (auth.kind !== "account") throw authRequired();
  return ctx.services.communityTransfers.cancelTransfer(input.did, auth.did);
}
