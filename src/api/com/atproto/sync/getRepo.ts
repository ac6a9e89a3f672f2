// com.atproto.sync.getRepo: the repo as a streamed CAR, or only the blocks written after `since`.
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { rawOutput } from "../../../../xrpc/types.ts";
import { repoNotFound } from "../../../../repo/access.ts";

export async function handler({ ctx, params, auth }: MethodArgs<"com.atproto.sync.getRepo">): Promise<MethodResult<"com.atproto.sync.getRepo">> {
  const { did } = await ctx.services.repoAccess.readable(params.did, auth);
  const car = ctx.services.repo.getRepoCar(did, params.since);
  if (!car) throw repoNotFound();
  return rawOutput("application/vnd.ipld.car", car);
}
