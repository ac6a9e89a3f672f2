// com.atproto.sync.listRepos: every hosted repo in hosting order, minus accounts that do not exist publicly (§9).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { invalidRequest } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, params }: MethodArgs<"com.atproto.sync.listRepos">): Promise<MethodResult<"com.atproto.sync.listRepos">> {
  if (params.cursor !== undefined && !/^\d{1,15}$/.test(params.cursor)) throw invalidRequest("Malformed cursor");
  return ctx.services.repoAccess.listHosted({ limit: params.limit, cursor: params.cursor });
}
