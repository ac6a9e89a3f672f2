// app.bsky.actor.putPreferences: replace the caller's visible preferences in one transaction (10 §3); not audited.
import type { MethodArgs } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";
import { isFullSession } from "../../../../xrpc/auth.ts";
export { precheckPreferences as precheck } from "../../../../account/preferences.ts";

export async function handler({ ctx, auth, input }: MethodArgs<"app.bsky.actor.putPreferences">): Promise<void> {
  if (auth.kind !== "account") throw authRequired();
  await ctx.services.preferences.put(auth.did, input.preferences as Array<{ $type: string }>, await isFullSession(ctx, auth));
}
