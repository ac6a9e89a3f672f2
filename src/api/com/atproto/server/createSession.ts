// com.atproto.server.createSession: password login with lockout (spec 01 §9.4–9.5).
import type { HandlerArgs } from "../../../../xrpc/types.ts";
import { sessionView } from "./_session-view.ts";

interface Input {
  identifier: string;
  password: string;
  allowTakendown?: boolean;
}

export async function handler({ ctx, input, req }: HandlerArgs<unknown, Input>) {
  const { row, tokens } = await ctx.services.login.login(input, req.ip);
  return { ...tokens, ...sessionView(ctx, row) };
}
