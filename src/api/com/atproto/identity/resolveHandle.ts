// com.atproto.identity.resolveHandle: local handles from the database, others via DNS TXT / HTTPS well-known (02 §6).
import type { HandlerArgs } from "../../../../xrpc/types.ts";
import { XrpcError } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, params }: HandlerArgs<{ handle: string }>) {
  const did = await ctx.services.handles.resolve(params.handle);
  if (!did) throw new XrpcError(400, "HandleNotFound", "Unable to resolve handle");
  return { did };
}
