// com.atproto.repo.getRecord: one record from the index (RecordNotFound also when `cid` is not the current one).
import type { MethodArgs } from "../../../../xrpc/types.ts";
import { XrpcError } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, params, auth }: MethodArgs<"com.atproto.repo.getRecord">) {
  const { did } = await ctx.services.repoAccess.readable(params.repo, auth);
  const rec = await ctx.services.repo.getRecord(did, params.collection, params.rkey);
  if (!rec || (params.cid !== undefined && params.cid !== rec.cid)) {
    throw new XrpcError(400, "RecordNotFound", `Could not locate record: at://${did}/${params.collection}/${params.rkey}`);
  }
  return { uri: rec.uri, cid: rec.cid, value: rec.value };
}
