// com.atproto.admin.getAccountInfos: admin views of up to 100 accounts; unknown DIDs are omitted (10 §6).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { invalidRequest } from "../../../../errors.ts";

export const MAX_DIDS = 100;

export async function handler({ ctx, params }: MethodArgs<"com.atproto.admin.getAccountInfos">): Promise<MethodResult<"com.atproto.admin.getAccountInfos">> {
  if (params.dids.length < 1 || params.dids.length > MAX_DIDS) throw invalidRequest(`dids must hold 1 to ${MAX_DIDS} DIDs`);
  return { infos: await ctx.services.adminAccounts.infos(params.dids) };
}
