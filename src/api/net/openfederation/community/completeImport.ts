// net.openfederation.community.completeImport: fetch, verify and activate a community moving in (04 §8, online mode).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.community.completeImport">): Promise<MethodResult<"net.openfederation.community.completeImport">> {
  if (auth.kind !== "account") throw authRequired();
  return ctx.services.communityImports.completeImport(input, auth.did);
}
