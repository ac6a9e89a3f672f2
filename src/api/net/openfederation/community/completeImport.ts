// net.openfederation.community.completeImport: fetch, verify and activate a community moving in (04 §8, online mode).
import type { HandlerArgs } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: HandlerArgs<unknown, { importId: string; transferToken?: string }>) {
  if (auth.kind !== "account") throw authRequired();
  return ctx.services.communityImports.completeImport(input, auth.did);
}
