// net.openfederation.account.reject: pending → rejected (T5): sessions revoked, name/email released, repo and DID gone.
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { forbidden } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.account.reject">): Promise<MethodResult<"net.openfederation.account.reject">> {
  if (auth.kind !== "account") throw forbidden();
  const { reason, ...target } = input;
  return ctx.services.accounts.reject(auth.did, target, reason);
}
