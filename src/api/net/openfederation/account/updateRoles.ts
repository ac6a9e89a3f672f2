// net.openfederation.account.updateRoles: add/remove PDS roles; effective on the target's next request (01 §8).
import type { HandlerArgs } from "../../../../xrpc/types.ts";
import { forbidden } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: HandlerArgs<unknown, { did: string; addRoles?: string[]; removeRoles?: string[] }>) {
  if (auth.kind !== "account") throw forbidden();
  return ctx.services.accounts.updateRoles(auth.did, input.did, input.addRoles, input.removeRoles);
}
