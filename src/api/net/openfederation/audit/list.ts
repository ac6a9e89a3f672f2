// net.openfederation.audit.list: audit entries with SQL filters and a keyset cursor, newest first (06 §8).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { invalidRequest } from "../../../../xrpc/errors.ts";
import { InvalidCursorError } from "../../../../audit/audit-log.ts";

export function handler({ ctx, params }: MethodArgs<"net.openfederation.audit.list">): MethodResult<"net.openfederation.audit.list"> {
  const { limit, cursor, ...filters } = params;
  let page;
  try {
    page = ctx.services.audit.list(filters, { limit, cursor });
  } catch (err) {
    if (err instanceof InvalidCursorError) throw invalidRequest("Invalid cursor");
    throw err;
  }
  const { accounts } = ctx.services;
  return {
    ...page,
    entries: page.entries.map(({ ip: _ip, ...e }) => {
      const actor = e.actorDid ? accounts.getRow(e.actorDid) : undefined;
      return { ...e, ...(actor ? { actorHandle: accounts.handleOf(actor) } : {}) };
    }),
  };
}
