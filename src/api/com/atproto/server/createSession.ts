// com.atproto.server.createSession: password login with lockout (spec 01 §9.4–9.5).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { sessionView } from "./_session-view.ts";

export async function handler({ ctx, input, req }: MethodArgs<"com.atproto.server.createSession">): Promise<MethodResult<"com.atproto.server.createSession">> {
  const { row, tokens } = await ctx.services.login.login(input, req.ip);
  return { ...tokens, ...(await sessionView(ctx, row)) };
}
