// net.openfederation.community.listMembers: members oldest first with current handles; private needs member.read (04 §5).
import type { HandlerArgs } from "../../../../xrpc/types.ts";
import { listMembers } from "../../../../community/membership-lists.ts";

export async function handler({ ctx, params, auth }: HandlerArgs<{ did: string; limit: number; cursor?: string }>) {
  return listMembers(ctx, params.did, auth, params);
}
