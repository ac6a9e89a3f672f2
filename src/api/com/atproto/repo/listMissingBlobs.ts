// com.atproto.repo.listMissingBlobs: blobs the caller's records reference that were never uploaded (after importRepo).
import type { HandlerArgs } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, params, auth }: HandlerArgs<{ limit: number; cursor?: string }>) {
  if (auth.kind !== "account") throw authRequired();
  return ctx.services.blobs.listMissing(auth.did, { limit: params.limit, cursor: params.cursor });
}
