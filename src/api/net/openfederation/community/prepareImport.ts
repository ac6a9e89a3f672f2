// net.openfederation.community.prepareImport: reserve keys and a name here for a community moving in (04 §8).
import type { HandlerArgs } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: HandlerArgs<unknown, { did: string; handle: string; sourcePds: string }>) {
  if (auth.kind !== "account") throw authRequired();
  return ctx.services.communityImports.prepareImport(input, auth.did);
}
