// net.openfederation.account.disable: approved/deactivated → disabled (T12), sessions revoked (06 §1).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { forbidden } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.account.disable">): Promise<MethodResult<"net.openfederation.account.disable">> {
  if (auth.kind !== "account") throw forbidden();
  return ctx.services.adminStatus.disable(auth.did, input.did, input.reason);
}
