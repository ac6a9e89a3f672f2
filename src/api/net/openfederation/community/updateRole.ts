// net.openfederation.community.updateRole: rename or re-permission a role, never role/owner (spec 05 §3).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.community.updateRole">): Promise<MethodResult<"net.openfederation.community.updateRole">> {
  return ctx.services.roles.updateRole(input.communityDid, auth, input);
}
