// net.openfederation.account.approve: pending → approved (T4), announced on the firehose.
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { forbidden } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.account.approve">): Promise<MethodResult<"net.openfederation.account.approve">> {
  if (auth.kind !== "account") throw forbidden();
  return ctx.services.accounts.approve(auth.did, input);
}
