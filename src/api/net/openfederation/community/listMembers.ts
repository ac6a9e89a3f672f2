// net.openfederation.community.listMembers: members oldest first with current handles; private needs member.read (04 §5).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export async function handler({ ctx, params, auth }: MethodArgs<"net.openfederation.community.listMembers">): Promise<MethodResult<"net.openfederation.community.listMembers">> {
  return ctx.services.membership.listMembers(params.did, auth, params);
}
