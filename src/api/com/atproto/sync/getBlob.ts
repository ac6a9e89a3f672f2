// com.atproto.sync.getBlob: a permanent blob's bytes with the §5 headers (the sandbox CSP comes from the route).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { rawOutput } from "../../../../xrpc/types.ts";
import { blobNotFound } from "../../../../blob/index.ts";

export async function handler({ ctx, params, auth }: MethodArgs<"com.atproto.sync.getBlob">): Promise<MethodResult<"com.atproto.sync.getBlob">> {
  const { did } = await ctx.services.repoAccess.readable(params.did, auth);
  const blob = await ctx.services.blobs.getPermanent(did, params.cid);
  if (!blob) throw blobNotFound();
  return rawOutput(blob.mime, Bun.file(blob.path), {
    "Content-Length": String(blob.size),
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "public, max-age=31536000, immutable",
  });
}
