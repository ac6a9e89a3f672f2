// net.openfederation.community.transferOwnership: owner (password) or admin for orphaned communities (04 §7).
import type { HandlerArgs } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";
import { transferOwnership, type TransferOwnershipInput } from "../../../../community/ownership.ts";

export async function handler({ ctx, input, auth }: HandlerArgs<unknown, TransferOwnershipInput>) {
  if (auth.kind !== "account") throw authRequired();
  return transferOwnership(ctx, input, { did: auth.did, roles: auth.roles });
}
