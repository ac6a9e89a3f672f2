// net.openfederation.partner.register: an approved account and a normal session for a partner app, no invite (06 §7).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { forbidden } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth, req }: MethodArgs<"net.openfederation.partner.register">): Promise<MethodResult<"net.openfederation.partner.register">> {
  if (auth.kind !== "partner") throw forbidden();
  return ctx.services.partner.register(auth, input, req.ip);
}
