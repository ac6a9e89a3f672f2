// net.openfederation.account.list: accounts with status/role/substring filters, newest first (01 §8).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export async function handler({ ctx, params }: MethodArgs<"net.openfederation.account.list">): Promise<MethodResult<"net.openfederation.account.list">> {
  return ctx.services.accounts.list({ status: params.status, role: params.role, q: params.q }, { limit: params.limit, cursor: params.cursor });
}
