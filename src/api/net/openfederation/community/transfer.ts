// net.openfederation.community.transfer: the owner (password re-checked) freezes the community and gets the package (04 §8).
import type { HandlerArgs } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: HandlerArgs<unknown, { did: string; password?: string; importTicket: string }>) {
  if (auth.kind !== "account") throw authRequired();
  return ctx.services.communityTransfers.transfer(input, auth.did);
}
