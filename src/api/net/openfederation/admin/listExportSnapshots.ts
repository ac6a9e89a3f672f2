// net.openfederation.admin.listExportSnapshots: a community's snapshots, newest first (06 §10).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export async function handler({ ctx, params }: MethodArgs<"net.openfederation.admin.listExportSnapshots">): Promise<MethodResult<"net.openfederation.admin.listExportSnapshots">> {
  return ctx.services.exportSnapshots.schedules.listSnapshots(params.communityDid, { limit: params.limit, cursor: params.cursor });
}
