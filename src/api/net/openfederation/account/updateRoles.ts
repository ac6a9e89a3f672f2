// net.openfederation.account.updateRoles: add/remove PDS roles; effective on the target's next request (01 §8).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { forbidden } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.account.updateRoles">): Promise<MethodResult<"net.openfederation.account.updateRoles">> {
  if (auth.kind !== "account") throw forbidden();
  return ctx.services.accounts.updateRoles(auth.did, input.did, input.addRoles, input.removeRoles);
}
