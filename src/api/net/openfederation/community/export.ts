// net.openfederation.community.export: the owner's or an admin's complete copy, JSON or CAR (04 §4, 06 §2).
import type { MethodArgs } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";
import { rawOutput } from "../../../../xrpc/types.ts";
import { repoNotFound } from "../../../../repo/access.ts";
import { authorizeExport, exportJson, recordExport } from "../../../../community/export.ts";

export async function handler({ ctx, params, auth }: MethodArgs<"net.openfederation.community.export">) {
  if (auth.kind !== "account") throw authRequired();
  const format = params.format ?? "json";
  const { community, byOwner, rev } = authorizeExport(ctx, params.did, { did: auth.did, roles: auth.roles });
  const at = new Date().toISOString();
  if (format === "car") {
    const car = ctx.services.repo.getRepoCar(community.did);
    if (!car) throw repoNotFound();
    await recordExport(ctx, community, auth.did, byOwner, format, ctx.services.repo.recordCount(community.did), at, rev);
    return rawOutput("application/vnd.ipld.car", car);
  }
  const out = exportJson(ctx, community, auth.did, at);
  await recordExport(ctx, community, auth.did, byOwner, format, out.stats.totalRecords, at, rev);
  return out;
}
