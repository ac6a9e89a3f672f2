// net.openfederation.invite.list: invite codes with computed status, newest first (01 §7).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export async function handler({ ctx, params }: MethodArgs<"net.openfederation.invite.list">): Promise<MethodResult<"net.openfederation.invite.list">> {
  return ctx.services.invites.list({ status: params.status, limit: params.limit, cursor: params.cursor });
}
