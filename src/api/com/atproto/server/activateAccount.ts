// com.atproto.server.activateAccount: T7 (06 §3); migrated-in accounts need approval and a DID document pointing here.
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { invalidToken } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, auth }: MethodArgs<"com.atproto.server.activateAccount">): Promise<MethodResult<"com.atproto.server.activateAccount">> {
  if (auth.kind !== "account") throw invalidToken();
  await ctx.services.lifecycle.activate(auth.did);
}
