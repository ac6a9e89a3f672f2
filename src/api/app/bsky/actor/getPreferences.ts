// app.bsky.actor.getPreferences: the caller's private preferences in stored order, served locally (10 §3).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";
import { isFullSession } from "../../../../xrpc/auth.ts";

export async function handler({ ctx, auth }: MethodArgs<"app.bsky.actor.getPreferences">): Promise<MethodResult<"app.bsky.actor.getPreferences">> {
  if (auth.kind !== "account") throw authRequired();
  return { preferences: await ctx.services.preferences.get(auth.did, await isFullSession(ctx, auth)) };
}
