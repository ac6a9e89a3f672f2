// net.openfederation.admin.deleteExportSchedule: drop a schedule; with deleteSnapshots also its files and rows (06 §10).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { forbidden } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.admin.deleteExportSchedule">): Promise<MethodResult<"net.openfederation.admin.deleteExportSchedule">> {
  if (auth.kind !== "account") throw forbidden();
  await ctx.services.exportSnapshots.schedules.delete(auth.did, input.communityDid, input.deleteSnapshots ?? false);
  return { success: true };
}
