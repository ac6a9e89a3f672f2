// net.openfederation.community.get: the full view; hidden from non-members of a private community (04 §4).
import type { MethodArgs } from "../../../../xrpc/types.ts";
import { callerOf } from "./_caller.ts";

export async function handler({ ctx, params, auth }: MethodArgs<"net.openfederation.community.get">) {
  return ctx.services.communities.get(params.did, callerOf(auth));
}
