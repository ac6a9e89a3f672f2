// com.atproto.server.requestEmailUpdate: `tokenRequired` = the address is confirmed; only then an `update_email` token is mailed (10 §5.3).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { fullSessionDid } from "./_full-session.ts";

export async function handler({ ctx, auth }: MethodArgs<"com.atproto.server.requestEmailUpdate">): Promise<MethodResult<"com.atproto.server.requestEmailUpdate">> {
  return ctx.services.emailFlows.requestUpdate(fullSessionDid(auth));
}
