// com.atproto.identity.resolveHandle: local handles from the database, others via DNS TXT / HTTPS well-known (02 §6).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { XrpcError } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, params }: MethodArgs<"com.atproto.identity.resolveHandle">): Promise<MethodResult<"com.atproto.identity.resolveHandle">> {
  const did = await ctx.services.handles.resolve(params.handle);
  if (!did) throw new XrpcError(400, "HandleNotFound", "Unable to resolve handle");
  return { did };
}
