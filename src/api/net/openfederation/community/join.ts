// net.openfederation.community.join: open → member record, approval/private → pending join request (04 §5).
import type { HandlerArgs } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";
import { join } from "../../../../community/membership.ts";

export async function handler({ ctx, input, auth }: HandlerArgs<unknown, { did: string }>) {
  if (auth.kind !== "account") throw authRequired();
  return join(ctx, input.did, auth.did);
}
