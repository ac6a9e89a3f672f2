// net.openfederation.partner.listKeys: partner keys newest first, never the key itself (06 §7).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export async function handler({ ctx, params }: MethodArgs<"net.openfederation.partner.listKeys">): Promise<MethodResult<"net.openfederation.partner.listKeys">> {
  return ctx.services.partner.list({ status: params.status, limit: params.limit, cursor: params.cursor });
}
