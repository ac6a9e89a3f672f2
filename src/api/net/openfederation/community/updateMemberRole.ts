// net.openfederation.community.updateMemberRole: give a member another role (community.member.write; spec 05 §3).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.community.updateMemberRole">): Promise<MethodResult<"net.openfederation.community.updateMemberRole">> {
  return ctx.services.roles.updateMemberRole(input.communityDid, auth, input.memberDid, input.roleRkey);
}
