// net.openfederation.account.updateProfile: standard mode (app.bsky.actor.profile/self) or a custom *.actor.profile record (06 §5).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.account.updateProfile">): Promise<MethodResult<"net.openfederation.account.updateProfile">> {
  if (auth.kind !== "account") throw authRequired();
  return ctx.services.profiles.update(auth.did, input);
}
