// com.atproto.server.deleteSession: revoke the whole session named by a refresh or access JWT; idempotent (01 §9.5).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, auth, req }: MethodArgs<"com.atproto.server.deleteSession">): Promise<MethodResult<"com.atproto.server.deleteSession">> {
  if (auth.kind !== "account" && auth.kind !== "refresh") throw authRequired();
  await ctx.services.sessions.revoke(auth.sid, req.ip);
  return undefined;
}
