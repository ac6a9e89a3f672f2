// com.atproto.server.revokeAppPassword: delete it and revoke its sessions at once; an unknown name is a no-op (10 §4).
import type { MethodArgs } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, auth, input, req }: MethodArgs<"com.atproto.server.revokeAppPassword">): Promise<void> {
  if (auth.kind !== "account") throw authRequired();
  await ctx.services.appPasswords.revoke(auth.did, input.name, req.ip);
}
