// com.atproto.server.resetPassword: the mailed token sets a new password and revokes every session (10 §5.3).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export async function handler({ ctx, input }: MethodArgs<"com.atproto.server.resetPassword">): Promise<MethodResult<"com.atproto.server.resetPassword">> {
  await ctx.services.emailFlows.resetPassword({ token: input.token, password: input.password });
}
