// com.atproto.repo.listMissingBlobs: blobs the caller's records reference that were never uploaded (after importRepo).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, params, auth }: MethodArgs<"com.atproto.repo.listMissingBlobs">): Promise<MethodResult<"com.atproto.repo.listMissingBlobs">> {
  if (auth.kind !== "account") throw authRequired();
  return ctx.services.blobs.listMissing(auth.did, { limit: params.limit, cursor: params.cursor });
}
