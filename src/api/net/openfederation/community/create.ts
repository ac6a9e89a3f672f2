// net.openfederation.community.create: a plc or web community with its genesis commit (04 §4).
import type { HandlerArgs } from "../../../../xrpc/types.ts";
import type { CreateCommunityInput } from "../../../../community/index.ts";
import { authRequired } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: HandlerArgs<unknown, CreateCommunityInput>) {
  if (auth.kind !== "account") throw authRequired();
  return ctx.services.communities.create(input, { did: auth.did });
}
