// com.atproto.server.listAppPasswords: the caller's app passwords, newest first, never the passwords (10 §4).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, auth }: MethodArgs<"com.atproto.server.listAppPasswords">): Promise<MethodResult<"com.atproto.server.listAppPasswords">> {
  if (auth.kind !== "account") throw authRequired();
  return { passwords: await ctx.services.appPasswords.list(auth.did) };
}
