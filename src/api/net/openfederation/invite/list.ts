// net.openfederation.invite.list: invite codes with computed status, newest first (01 §7).
import type { HandlerArgs } from "../../../../xrpc/types.ts";
import type { InviteStatus } from "../../../../account/invites.ts";

export function handler({ ctx, params }: HandlerArgs<{ status?: InviteStatus; limit: number; cursor?: string }>) {
  return ctx.services.invites.list({ status: params.status, limit: params.limit, cursor: params.cursor });
}
