// net.openfederation.account.export: the holder's (any session) or staff's copy of an account, JSON or CAR (06 §4).
import type { MethodArgs } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";
import { isFullSession } from "../../../../xrpc/auth.ts";
import { rawOutput } from "../../../../xrpc/types.ts";

export async function handler({ ctx, params, auth }: MethodArgs<"net.openfederation.account.export">) {
  if (auth.kind !== "account") throw authRequired();
  const out = await ctx.services.accountExports.export(params.did, { ...auth, full: await isFullSession(ctx, auth) }, params.format ?? "json");
  return out.format === "car" ? rawOutput("application/vnd.ipld.car", out.car) : out.json;
}
