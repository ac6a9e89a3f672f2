// net.openfederation.account.enable: disabled → approved (T13), announced again (06 §1).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { forbidden } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.account.enable">): Promise<MethodResult<"net.openfederation.account.enable">> {
  if (auth.kind !== "account") throw forbidden();
  return ctx.services.adminStatus.enable(auth.did, input.did);
}
