// com.atproto.server.updateEmail: sets a new, unconfirmed address (token required while the old one is confirmed) (10 §5.3).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { fullSessionDid } from "./_full-session.ts";

export async function handler({ ctx, auth, input }: MethodArgs<"com.atproto.server.updateEmail">): Promise<MethodResult<"com.atproto.server.updateEmail">> {
  await ctx.services.emailFlows.update(fullSessionDid(auth), { email: input.email, ...(input.token ? { token: input.token } : {}) });
}
