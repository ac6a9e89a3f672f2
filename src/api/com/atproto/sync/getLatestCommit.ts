// com.atproto.sync.getLatestCommit: CID and rev of the repo's head.
import type { HandlerArgs } from "../../../../xrpc/types.ts";
import { readableRepo, repoNotFound } from "../../../../repo/access.ts";

export async function handler({ ctx, params, auth }: HandlerArgs<{ did: string }>) {
  const { did } = await readableRepo(ctx, params.did, auth);
  const head = ctx.services.repo.head(did);
  if (!head) throw repoNotFound();
  return { cid: head.cid, rev: head.rev };
}
