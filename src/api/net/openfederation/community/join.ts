// net.openfederation.community.join: open → member record, approval/private → pending join request (04 §5).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.community.join">): Promise<MethodResult<"net.openfederation.community.join">> {
  return ctx.services.membership.join(input.did, auth); // a local account or a remote actor (04 §9)
}
