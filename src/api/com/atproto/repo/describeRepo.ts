// com.atproto.repo.describeRepo: handle, DID document (from the directory), collections, handleIsCorrect.
import type { MethodArgs } from "../../../../xrpc/types.ts";
import { upstreamFailure } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, params, auth }: MethodArgs<"com.atproto.repo.describeRepo">) {
  const { did, handle } = await ctx.services.repoAccess.readable(params.repo, auth);
  let didDoc;
  try {
    didDoc = await ctx.services.plc.getDocument(did);
  } catch {
    throw upstreamFailure("Could not resolve the DID document");
  }
  // 02 §6: handle → DID resolves to this DID AND the document's first alsoKnownAs is at://<handle>
  const handleIsCorrect = await ctx.services.handles.handleIsCorrect(did, handle);
  return { handle, did, didDoc: didDoc ?? { id: did }, collections: await ctx.services.repo.collections(did), handleIsCorrect };
}
