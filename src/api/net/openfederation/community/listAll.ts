// net.openfederation.community.listAll: public communities, or every community for staff with mode=all (04 §4).
import type { HandlerArgs } from "../../../../xrpc/types.ts";
import { callerOf } from "./_caller.ts";

interface Params { limit: number; cursor?: string; q?: string; mode?: "public" | "all"; includeMine?: boolean }

export async function handler({ ctx, params, auth }: HandlerArgs<Params>) {
  return ctx.services.communities.listAll(params, callerOf(auth));
}
