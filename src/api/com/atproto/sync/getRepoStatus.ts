// com.atproto.sync.getRepoStatus: whether the repo is active, why not, and its rev (spec 03 §9 table).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { repoNotFound } from "../../../../repo/access.ts";
import { repoActivity } from "../../../../blob/sync-reads.ts";
import { communityActivity } from "../../../../community/repo-access.ts";

export async function handler({ ctx, params }: MethodArgs<"com.atproto.sync.getRepoStatus">): Promise<MethodResult<"com.atproto.sync.getRepoStatus">> {
  const acct = await ctx.services.accounts.lookup(params.did);
  const community = acct ? undefined : ctx.services.communities.find(params.did);
  if (community) {
    const head = ctx.services.repo.head(community.did);
    const activity = head ? communityActivity(community) : null;
    if (!head || !activity) throw repoNotFound(`Could not find repo for DID: ${params.did}`);
    return { did: community.did, ...activity, ...(activity.active ? { rev: head.rev } : {}) };
  }
  const head = acct ? ctx.services.repo.head(acct.did) : null;
  const activity = acct && head ? repoActivity(acct.status) : null;
  if (!acct || !head || !activity) throw repoNotFound(`Could not find repo for DID: ${params.did}`);
  return { did: acct.did, ...activity, ...(activity.active ? { rev: head.rev } : {}) };
}
