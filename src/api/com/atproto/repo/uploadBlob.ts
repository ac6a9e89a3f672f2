// com.atproto.repo.uploadBlob: stream the body to disk as a temporary blob of the caller's repo (spec 03 §5).
import { BlobRef } from "@atproto/lexicon";
import { CID } from "multiformats/cid";
import type { MethodArgs, MethodResult, StreamInput } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"com.atproto.repo.uploadBlob", StreamInput>): Promise<MethodResult<"com.atproto.repo.uploadBlob">> {
  if (auth.kind !== "account") throw authRequired();
  await ctx.services.blobs.consumeUploadQuota(auth.did);
  const blob = await ctx.services.blobs.upload(auth.did, input.stream, input.encoding);
  // A BlobRef passes the lexicon's `blob` output check and serialises to the JSON form ({$type, ref:{$link}, …}).
  return { blob: new BlobRef(CID.parse(blob.ref.$link) as never, blob.mimeType, blob.size) };
}
