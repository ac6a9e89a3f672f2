// net.openfederation.admin.createAccount: an admin creates an approved account through the shared creation routine.
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { forbidden } from "../../../../errors.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.admin.createAccount">): Promise<MethodResult<"net.openfederation.admin.createAccount">> {
  if (auth.kind !== "account") throw forbidden();
  return ctx.services.adminAccounts.create(auth.did, input);
}
