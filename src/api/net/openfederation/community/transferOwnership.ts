// net.openfederation.community.transferOwnership: owner (password) or admin for orphaned communities (04 §7).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.community.transferOwnership">): Promise<MethodResult<"net.openfederation.community.transferOwnership">> {
  if (auth.kind !== "account") throw authRequired();
  return ctx.services.communityOwnership.transfer(input, { did: auth.did, roles: auth.roles });
}
