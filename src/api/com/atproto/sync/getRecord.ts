// com.atproto.sync.getRecord: CAR proving one record against the signed commit (commit, MST path, record block).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { rawOutput } from "../../../../xrpc/types.ts";
import { XrpcError } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, params, auth }: MethodArgs<"com.atproto.sync.getRecord">): Promise<MethodResult<"com.atproto.sync.getRecord">> {
  const { did } = await ctx.services.repoAccess.readable(params.did, auth);
  const car = await ctx.services.repo.getRecordProofCar(did, params.collection, params.rkey);
  if (!car) throw new XrpcError(400, "RecordNotFound", `Could not locate record: at://${did}/${params.collection}/${params.rkey}`);
  return rawOutput("application/vnd.ipld.car", car);
}
