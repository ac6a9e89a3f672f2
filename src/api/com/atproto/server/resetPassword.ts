// com.atproto.server.resetPassword: the mailed token sets a new password and revokes every session (10 §5.3).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { mailIpLimit } from "./_mail-ip-limits.ts";

export async function handler({ ctx, input, req }: MethodArgs<"com.atproto.server.resetPassword">): Promise<MethodResult<"com.atproto.server.resetPassword">> {
  await mailIpLimit(ctx, req.ip, "token-use");
  await ctx.services.emailFlows.resetPassword({ token: input.token, password: input.password });
}
