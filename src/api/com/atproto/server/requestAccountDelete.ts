// com.atproto.server.requestAccountDelete: mails a `delete_account` token for server.deleteAccount (10 §5.3).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { fullSessionDid } from "./_full-session.ts";

export async function handler({ ctx, auth }: MethodArgs<"com.atproto.server.requestAccountDelete">): Promise<MethodResult<"com.atproto.server.requestAccountDelete">> {
  await ctx.services.selfDeletion.request(fullSessionDid(auth));
}
