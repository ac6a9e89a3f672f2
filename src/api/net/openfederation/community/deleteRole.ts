// net.openfederation.community.deleteRole: delete a role nobody holds, never owner or member (spec 05 §3).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.community.deleteRole">): Promise<MethodResult<"net.openfederation.community.deleteRole">> {
  return ctx.services.roles.deleteRole(input.communityDid, auth, input.rkey);
}
