// com.atproto.repo.importRepo: replace the deactivated caller's repo with a verified CAR, re-signed with our key (03 §4).
import type { HandlerArgs } from "../../../../xrpc/types.ts";
import { invalidToken } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: HandlerArgs<unknown, { encoding: string; bytes: Uint8Array }>) {
  if (auth.kind !== "account") throw invalidToken();
  await ctx.services.lifecycle.importRepo(auth.did, input.bytes);
}
