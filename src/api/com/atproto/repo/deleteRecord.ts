// com.atproto.repo.deleteRecord: delete one record; a missing record is a 200 no-op (no commit, no event).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"com.atproto.repo.deleteRecord">): Promise<MethodResult<"com.atproto.repo.deleteRecord">> {
  const did = await ctx.services.repoAccess.writable(input.repo, auth, ["delete"]);
  const res = await ctx.services.repo.write(
    did,
    [{ action: "delete", collection: input.collection, rkey: input.rkey, swapRecord: input.swapRecord, ifExists: true }],
    { swapCommit: input.swapCommit },
  );
  return res.commit ? { commit: res.commit } : {};
}
