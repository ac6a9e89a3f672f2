// com.atproto.admin.deleteAccount: an admin deletes a non-admin account (T14, 06 §1); the DID tombstone goes through the outbox.
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { forbidden } from "../../../../errors.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"com.atproto.admin.deleteAccount">): Promise<MethodResult<"com.atproto.admin.deleteAccount">> {
  if (auth.kind !== "account") throw forbidden();
  await ctx.services.accountDeletion.delete(input.did, { actorDid: auth.did, bySelf: false });
}
