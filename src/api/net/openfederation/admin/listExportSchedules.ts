// net.openfederation.admin.listExportSchedules: every export schedule with its last outcome, oldest first (06 §10).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export async function handler({ ctx, params }: MethodArgs<"net.openfederation.admin.listExportSchedules">): Promise<MethodResult<"net.openfederation.admin.listExportSchedules">> {
  return ctx.services.exportSnapshots.schedules.list({ limit: params.limit, cursor: params.cursor });
}
