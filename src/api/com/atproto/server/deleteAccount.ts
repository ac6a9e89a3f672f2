// com.atproto.server.deleteAccount: the holder deletes their account with DID, password and mailed token (T15, 10 §5.3).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export async function handler({ ctx, input }: MethodArgs<"com.atproto.server.deleteAccount">): Promise<MethodResult<"com.atproto.server.deleteAccount">> {
  await ctx.services.selfDeletion.delete({ did: input.did, password: input.password, token: input.token });
}
