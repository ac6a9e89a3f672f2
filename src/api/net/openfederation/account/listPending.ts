// net.openfederation.account.listPending: accounts awaiting approval, oldest first (01 §8).
import type { HandlerArgs } from "../../../../xrpc/types.ts";

export function handler({ ctx, params }: HandlerArgs<{ limit: number; cursor?: string }>) {
  return ctx.services.accounts.listPending({ limit: params.limit, cursor: params.cursor });
}
