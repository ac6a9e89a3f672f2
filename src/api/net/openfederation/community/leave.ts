// net.openfederation.community.leave: drop the caller's membership, delegations both ways and join request (04 §5).
import type { HandlerArgs } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";
import { leave } from "../../../../community/membership.ts";

export async function handler({ ctx, input, auth }: HandlerArgs<unknown, { did: string }>) {
  if (auth.kind !== "account") throw authRequired();
  return leave(ctx, input.did, auth.did);
}
