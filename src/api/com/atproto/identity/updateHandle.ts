// com.atproto.identity.updateHandle (02 §11): the caller's handle changes through the handle-change service.
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { invalidToken } from "../../../../errors.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"com.atproto.identity.updateHandle">): Promise<MethodResult<"com.atproto.identity.updateHandle">> {
  if (auth.kind !== "account") throw invalidToken();
  await ctx.services.handleChanges.update(auth.did, input.handle);
}
