// com.atproto.server.deleteAccount: the holder deletes their account with DID, password and mailed token (T15, 10 §5.3).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { mailIpLimit } from "./_mail-ip-limits.ts";

export async function handler({ ctx, input, req }: MethodArgs<"com.atproto.server.deleteAccount">): Promise<MethodResult<"com.atproto.server.deleteAccount">> {
  await mailIpLimit(ctx, req.ip, "token-use");
  await ctx.services.selfDeletion.delete({ did: input.did, password: input.password, token: input.token });
}
