// net.openfederation.community.create: a plc or web community with its genesis commit (04 §4).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.community.create">): Promise<MethodResult<"net.openfederation.community.create">> {
  if (auth.kind !== "account") throw authRequired();
  return ctx.services.communities.create(input, { did: auth.did });
}
