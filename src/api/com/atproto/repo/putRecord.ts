// com.atproto.repo.putRecord: create or replace one record (swapRecord null = must not exist).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"com.atproto.repo.putRecord">): Promise<MethodResult<"com.atproto.repo.putRecord">> {
  const did = await ctx.services.repoAccess.writable(input.repo, auth);
  const res = await ctx.services.repo.write(
    did,
    [{ action: "put", collection: input.collection, rkey: input.rkey, record: input.record, swapRecord: input.swapRecord }],
    { swapCommit: input.swapCommit, validate: input.validate },
  );
  const r = res.results[0] as { uri: string; cid: string; validationStatus: string };
  return { uri: r.uri, cid: r.cid, commit: res.commit!, validationStatus: r.validationStatus };
}
