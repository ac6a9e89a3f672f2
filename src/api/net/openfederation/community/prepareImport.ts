// net.openfederation.community.prepareImport: reserve keys and a name here for a community moving in (04 §8).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.community.prepareImport">): Promise<MethodResult<"net.openfederation.community.prepareImport">> {
  if (auth.kind !== "account") throw authRequired();
  return ctx.services.communityImports.prepareImport(input, auth.did);
}
