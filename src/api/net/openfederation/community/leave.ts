// net.openfederation.community.leave: drop the caller's membership, delegations both ways and join request (04 §5).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.community.leave">): Promise<MethodResult<"net.openfederation.community.leave">> {
  return ctx.services.membership.leave(input.did, auth); // a local account or a remote actor (04 §9)
}
