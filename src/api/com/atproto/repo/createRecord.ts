// com.atproto.repo.createRecord: one new record in the caller's repo, one commit.
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"com.atproto.repo.createRecord">): Promise<MethodResult<"com.atproto.repo.createRecord">> {
  const did = await ctx.services.repoAccess.writable(input.repo, auth);
  const res = await ctx.services.repo.write(did, [{ action: "create", collection: input.collection, rkey: input.rkey, record: input.record }], {
    swapCommit: input.swapCommit,
    validate: input.validate,
  });
  const r = res.results[0] as { uri: string; cid: string; validationStatus: string };
  return { uri: r.uri, cid: r.cid, commit: res.commit!, validationStatus: r.validationStatus };
}
