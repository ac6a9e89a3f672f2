// net.openfederation.account.approve: pending → approved (T4), announced on the firehose.
import type { HandlerArgs } from "../../../../xrpc/types.ts";
import { forbidden } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: HandlerArgs<unknown, { did?: string; handle?: string; email?: string }>) {
  if (auth.kind !== "account") throw forbidden();
  return ctx.services.accounts.approve(auth.did, input);
}
