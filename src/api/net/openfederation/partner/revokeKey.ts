// net.openfederation.partner.revokeKey: revoke a partner key at once; its accounts stay (06 §7).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { forbidden } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.partner.revokeKey">): Promise<MethodResult<"net.openfederation.partner.revokeKey">> {
  if (auth.kind !== "account") throw forbidden();
  return ctx.services.partner.revokeKey(auth.did, input.id);
}
