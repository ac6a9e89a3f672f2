// com.atproto.server.requestPasswordReset: 200 whatever the address; a live account's address gets a `reset_password` token (10 §5.3).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { mailIpLimit } from "./_mail-ip-limits.ts";

export async function handler({ ctx, input, req }: MethodArgs<"com.atproto.server.requestPasswordReset">): Promise<MethodResult<"com.atproto.server.requestPasswordReset">> {
  await mailIpLimit(ctx, req.ip, "reset-request");
  await ctx.services.emailFlows.requestPasswordReset(input.email);
}
