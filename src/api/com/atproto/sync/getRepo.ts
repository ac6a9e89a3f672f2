// com.atproto.sync.getRepo: the repo as a streamed CAR, or only the blocks written after `since`.
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { rawOutput } from "../../../../xrpc/types.ts";
import { repoNotFound } from "../../../../repo/access.ts";

export async function handler({ ctx, params, auth }: MethodArgs<"com.atproto.sync.getRepo">): Promise<MethodResult<"com.atproto.sync.getRepo">> {
  const { did } = await ctx.services.repoAccess.readable(params.did, auth);
  // A full download by a session of the holder (the account itself, a community's owner) is a holder export (06 §2);
  // the head is read before the CAR's snapshot, so a commit racing the download leaves the record stale.
  const rev = params.since === undefined && auth.kind === "account" ? (await ctx.services.repo.head(did))?.rev : undefined;
  const car = await ctx.services.repo.getRepoCar(did, params.since);
  if (!car) throw repoNotFound();
  const body = rev !== undefined && auth.kind === "account" ? ctx.services.holderExports.recordOnComplete(car, did, auth.did, rev) : car;
  return rawOutput("application/vnd.ipld.car", body);
}
