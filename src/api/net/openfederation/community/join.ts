// net.openfederation.community.join: open → member record, approval/private → pending join request (04 §5).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { join } from "../../../../community/membership.ts";
import { actorDid, memberHandle } from "../../../../community/remote.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.community.join">): Promise<MethodResult<"net.openfederation.community.join">> {
  const did = actorDid(auth); // a local account or a remote actor (04 §9)
  return join(ctx, input.did, did, await memberHandle(ctx, auth, did));
}
