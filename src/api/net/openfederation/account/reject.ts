// net.openfederation.account.reject: pending → rejected (T5): sessions revoked, name/email released, repo and DID gone.
import type { HandlerArgs } from "../../../../xrpc/types.ts";
import { forbidden } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: HandlerArgs<unknown, { did?: string; handle?: string; email?: string; reason?: string }>) {
  if (auth.kind !== "account") throw forbidden();
  const { reason, ...target } = input;
  return ctx.services.accounts.reject(auth.did, target, reason);
}
