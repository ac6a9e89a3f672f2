// net.openfederation.community.transfer: the owner (password re-checked) freezes the community and gets the package (04 §8).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.community.transfer">): Promise<MethodResult<"net.openfederation.community.transfer">> {
  if (auth.kind !== "account") throw authRequired();
  return ctx.services.communityTransfers.transfer(input, auth.did);
}
