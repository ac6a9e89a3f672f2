// net.openfederation.community.unsuspend: staff(admin) lifts the freeze (04 §6).
import type { HandlerArgs } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";
import { unsuspendCommunity } from "../../../../community/moderation.ts";

export async function handler({ ctx, input, auth }: HandlerArgs<unknown, { did: string }>) {
  if (auth.kind !== "account") throw authRequired();
  return unsuspendCommunity(ctx, input.did, auth.did);
}
