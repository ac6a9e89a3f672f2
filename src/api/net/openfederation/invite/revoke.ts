// net.openfederation.invite.revoke: revoke an invite code (01 §7).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { forbidden } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.invite.revoke">): Promise<MethodResult<"net.openfederation.invite.revoke">> {
  if (auth.kind !== "account") throw forbidden();
  return ctx.services.invites.revoke(auth.did, input.code);
}
