// net.openfederation.audit.list: audit entries with SQL filters and a keyset cursor, newest first (06 §8).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { invalidRequest } from "../../../../xrpc/errors.ts";
import { InvalidCursorError } from "../../../../audit/audit-log.ts";

export async function handler({ ctx, params }: MethodArgs<"net.openfederation.audit.list">): Promise<MethodResult<"net.openfederation.audit.list">> {
  const { limit, cursor, ...filters } = params;
  let page;
  try {
    page = await ctx.services.audit.list(filters, { limit, cursor });
  } catch (err) {
    if (err instanceof InvalidCursorError) throw invalidRequest("Invalid cursor");
    throw err;
  }
  const { accounts } = ctx.services;
  // one lookup per distinct actor on the page (a page is mostly a few staff accounts)
  const handles = new Map<string, string | undefined>();
  const handleOf = async (did: string) => {
    if (!handles.has(did)) {
      const row = await accounts.getRow(did);
      handles.set(did, row ? accounts.handleOf(row) : undefined);
    }
    return handles.get(did);
  };
  const entries = [];
  for (const { ip: _ip, ...e } of page.entries) {
    const actorHandle = e.actorDid ? await handleOf(e.actorDid) : undefined;
    entries.push({ ...e, ...(actorHandle ? { actorHandle } : {}) });
  }
  return { ...page, entries };
}
