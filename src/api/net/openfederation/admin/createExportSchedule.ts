// net.openfederation.admin.createExportSchedule: create or update a community's export schedule (06 §10).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { forbidden } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.admin.createExportSchedule">): Promise<MethodResult<"net.openfederation.admin.createExportSchedule">> {
  if (auth.kind !== "account") throw forbidden();
  return ctx.services.exportSnapshots.schedules.create(auth.did, input);
}
