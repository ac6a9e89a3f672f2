// net.openfederation.community.createRole: a custom role (community.role.write, escalation guard; spec 05 §3).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.community.createRole">): Promise<MethodResult<"net.openfederation.community.createRole">> {
  return ctx.services.roles.createRole(input.communityDid, auth, input);
}
