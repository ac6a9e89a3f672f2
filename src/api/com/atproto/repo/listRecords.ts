// com.atproto.repo.listRecords: a collection page, rkey descending (ascending with `reverse`); cursor = last rkey.
import { isValidRecordKey } from "@atproto/syntax";
import type { MethodArgs } from "../../../../xrpc/types.ts";
import { invalidRequest } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, params, auth }: MethodArgs<"com.atproto.repo.listRecords">) {
  const { did } = await ctx.services.repoAccess.readable(params.repo, auth);
  if (params.cursor !== undefined && !isValidRecordKey(params.cursor)) throw invalidRequest("Invalid cursor");
  return ctx.services.repo.listRecords(did, params.collection, { limit: params.limit ?? 50, cursor: params.cursor, reverse: params.reverse });
}
