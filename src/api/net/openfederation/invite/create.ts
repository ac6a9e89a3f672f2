// net.openfederation.invite.create: a new invite code (01 §7).
import type { HandlerArgs } from "../../../../xrpc/types.ts";
import { forbidden } from "../../../../xrpc/errors.ts";
import { isValidEmail, normaliseEmail } from "../../../../account/rules.ts";

export async function handler({ ctx, input, auth }: HandlerArgs<unknown, { maxUses?: number; expiresAt?: string; boundTo?: string; note?: string }>) {
  if (auth.kind !== "account") throw forbidden();
  const { createdBy: _, ...view } = await ctx.services.invites.create(auth.did, input, normaliseEmail, isValidEmail);
  const { createdByHandle: __, ...out } = view;
  return out;
}
