// com.atproto.sync.getLatestCommit: CID and rev of the repo's head.
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { repoNotFound } from "../../../../repo/access.ts";

export async function handler({ ctx, params, auth }: MethodArgs<"com.atproto.sync.getLatestCommit">): Promise<MethodResult<"com.atproto.sync.getLatestCommit">> {
  const { did } = await ctx.services.repoAccess.readable(params.did, auth);
  const head = await ctx.services.repo.head(did);
  if (!head) throw repoNotFound();
  return { cid: head.cid, rev: head.rev };
}
