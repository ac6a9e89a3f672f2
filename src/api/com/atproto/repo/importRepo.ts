// com.atproto.repo.importRepo: replace the deactivated caller's repo with a verified CAR, re-signed with our key (03 §4).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { invalidToken } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"com.atproto.repo.importRepo">): Promise<MethodResult<"com.atproto.repo.importRepo">> {
  if (auth.kind !== "account") throw invalidToken();
  await ctx.services.lifecycle.importRepo(auth.did, input.bytes);
}
