// com.atproto.server.createAppPassword: a new app password, shown once (10 §4); full sessions only (auth.ts).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, auth, input, req }: MethodArgs<"com.atproto.server.createAppPassword">): Promise<MethodResult<"com.atproto.server.createAppPassword">> {
  if (auth.kind !== "account") throw authRequired();
  return ctx.services.appPasswords.create(auth.did, input, req.ip);
}
