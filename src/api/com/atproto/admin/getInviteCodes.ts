// com.atproto.admin.getInviteCodes: every invite as a com.atproto inviteCode view, sorted recent|usage, keyset-paged (10 §6).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { listInviteCodes } from "../../../../account/invite-views.ts";

export async function handler({ ctx, params }: MethodArgs<"com.atproto.admin.getInviteCodes">): Promise<MethodResult<"com.atproto.admin.getInviteCodes">> {
  return listInviteCodes(ctx.db.orm, { sort: params.sort, limit: params.limit, cursor: params.cursor }, new Date(ctx.services.clock()).toISOString());
}
