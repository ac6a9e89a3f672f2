// com.atproto.server.checkAccountStatus: repo, DID and blob state of the caller's account (03 §8).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { invalidToken } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, auth }: MethodArgs<"com.atproto.server.checkAccountStatus">): Promise<MethodResult<"com.atproto.server.checkAccountStatus">> {
  if (auth.kind !== "account") throw invalidToken();
  return ctx.services.lifecycle.status(auth.did);
}
