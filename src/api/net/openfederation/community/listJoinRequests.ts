// net.openfederation.community.listJoinRequests: community.member.write; pending unless `status` (04 §5).
import type { HandlerArgs } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";
import { listJoinRequests } from "../../../../community/membership-lists.ts";

type Params = { did: string; status?: "pending" | "approved" | "rejected"; limit: number; cursor?: string };

export async function handler({ ctx, params, auth }: HandlerArgs<Params>) {
  if (auth.kind !== "account") throw authRequired();
  return listJoinRequests(ctx, params.did, auth, params);
}
