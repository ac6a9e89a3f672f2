// net.openfederation.community.listAll: public communities, or every community for staff with mode=all (04 §4).
import type { MethodArgs } from "../../../../xrpc/types.ts";
import { callerOf } from "./_caller.ts";

export async function handler({ ctx, params, auth }: MethodArgs<"net.openfederation.community.listAll">) {
  return ctx.services.communities.listAll(params, callerOf(auth));
}
