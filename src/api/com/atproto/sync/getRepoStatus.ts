// com.atproto.sync.getRepoStatus: whether the repo is active, why not, and its rev (spec 03 §9 table).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export async function handler({ ctx, params }: MethodArgs<"com.atproto.sync.getRepoStatus">): Promise<MethodResult<"com.atproto.sync.getRepoStatus">> {
  return ctx.services.repoAccess.status(params.did);
}
