// net.openfederation.invite.create: a new invite code (01 §7).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { forbidden } from "../../../../xrpc/errors.ts";
import { isValidEmail, normaliseEmail } from "../../../../account/rules.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.invite.create">): Promise<MethodResult<"net.openfederation.invite.create">> {
  if (auth.kind !== "account") throw forbidden();
  const { createdBy: _, ...view } = await ctx.services.invites.create(auth.did, input, normaliseEmail, isValidEmail);
  const { createdByHandle: __, ...out } = view;
  return out;
}
