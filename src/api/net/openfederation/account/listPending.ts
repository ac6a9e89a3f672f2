// net.openfederation.account.listPending: accounts awaiting approval, oldest first (01 §8).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export async function handler({ ctx, params }: MethodArgs<"net.openfederation.account.listPending">): Promise<MethodResult<"net.openfederation.account.listPending">> {
  return ctx.services.accounts.listPending({ limit: params.limit, cursor: params.cursor });
}
