// net.openfederation.community.listMembers: members oldest first with current handles; private needs member.read (04 §5).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { listMembers } from "../../../../community/membership-lists.ts";

export async function handler({ ctx, params, auth }: MethodArgs<"net.openfederation.community.listMembers">): Promise<MethodResult<"net.openfederation.community.listMembers">> {
  return listMembers(ctx, params.did, auth, params);
}
