// com.atproto.identity.resolveHandle: local handles from the database (02 §6). Remote handles are not resolved yet.
import type { HandlerArgs } from "../../../../xrpc/types.ts";
import { XrpcError } from "../../../../xrpc/errors.ts";
import { resolveLocalHandle } from "../../../../account/handles.ts";

export function handler({ ctx, params }: HandlerArgs<{ handle: string }>) {
  const did = resolveLocalHandle(ctx, params.handle);
  // TODO(identity): DNS TXT / https well-known resolution of non-local handles; until then they are not found.
  if (!did) throw new XrpcError(400, "HandleNotFound", "Unable to resolve handle");
  return { did };
}
