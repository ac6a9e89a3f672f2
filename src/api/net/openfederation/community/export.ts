// net.openfederation.community.export: the owner's or an admin's complete copy, JSON or CAR (04 §4, 06 §2).
import type { MethodArgs } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";
import { rawOutput } from "../../../../xrpc/types.ts";

export async function handler({ ctx, params, auth }: MethodArgs<"net.openfederation.community.export">) {
  if (auth.kind !== "account") throw authRequired();
  const out = await ctx.services.communityExports.export(params.did, { did: auth.did, roles: auth.roles }, params.format ?? "json");
  return out.format === "car" ? rawOutput("application/vnd.ipld.car", out.car) : out.json;
}
