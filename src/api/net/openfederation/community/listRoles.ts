// net.openfederation.community.listRoles: roles with member counts; a private community needs role.read (spec 05 §3).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export async function handler({ ctx, params, auth }: MethodArgs<"net.openfederation.community.listRoles">): Promise<MethodResult<"net.openfederation.community.listRoles">> {
  return ctx.services.roles.listRoles(params.communityDid, auth);
}
