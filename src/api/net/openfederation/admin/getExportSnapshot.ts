// net.openfederation.admin.getExportSnapshot: a snapshot's CAR for an admin or the community's owner (06 §10, §2).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";
import { rawOutput } from "../../../../xrpc/types.ts";

export async function handler({ ctx, params, auth }: MethodArgs<"net.openfederation.admin.getExportSnapshot">): Promise<MethodResult<"net.openfederation.admin.getExportSnapshot">> {
  if (auth.kind !== "account") throw authRequired();
  const { car } = await ctx.services.exportSnapshots.schedules.get({ did: auth.did, roles: auth.roles }, params.id);
  return rawOutput("application/vnd.ipld.car", car);
}
