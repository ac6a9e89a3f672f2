// com.atproto.sync.listBlobs: the repo's permanent blob CIDs, optionally only those referenced after `since`.
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export async function handler({ ctx, params, auth }: MethodArgs<"com.atproto.sync.listBlobs">): Promise<MethodResult<"com.atproto.sync.listBlobs">> {
  const { did } = await ctx.services.repoAccess.readable(params.did, auth);
  return ctx.services.blobs.listBlobs(did, { since: params.since, limit: params.limit, cursor: params.cursor });
}
