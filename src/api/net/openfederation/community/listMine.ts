// net.openfederation.community.listMine: the caller's memberships with their role names (04 §4).
import type { HandlerArgs } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, params, auth }: HandlerArgs<{ limit: number; cursor?: string }>) {
  if (auth.kind !== "account") throw authRequired();
  return ctx.services.communities.listMine(params, auth.did);
}
