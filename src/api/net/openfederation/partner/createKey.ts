// net.openfederation.partner.createKey: a new partner API key; the raw key appears only in this response (06 §7).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { forbidden } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.partner.createKey">): Promise<MethodResult<"net.openfederation.partner.createKey">> {
  if (auth.kind !== "account") throw forbidden();
  const { lastUsedAt: _, revokedAt: __, totalRegistrations: ___, createdBy: ____, ...out } = await ctx.services.partner.createKey(auth.did, input);
  return { ...out, status: "active" };
}
