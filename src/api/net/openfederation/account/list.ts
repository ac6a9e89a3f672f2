// net.openfederation.account.list: accounts with status/role/substring filters, newest first (01 §8).
import type { HandlerArgs } from "../../../../xrpc/types.ts";

interface Params {
  status?: string;
  role?: string;
  q?: string;
  limit: number;
  cursor?: string;
}

export function handler({ ctx, params }: HandlerArgs<Params>) {
  return ctx.services.accounts.list({ status: params.status, role: params.role, q: params.q }, { limit: params.limit, cursor: params.cursor });
}
