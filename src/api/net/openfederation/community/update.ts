// net.openfederation.community.update: profile (profile.write) and settings (settings.write) in one commit (04 §4).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.community.update">): Promise<MethodResult<"net.openfederation.community.update">> {
  if (auth.kind !== "account") throw authRequired();
  const { did, ...fields } = input;
  return ctx.services.communities.update(did, auth.did, fields);
}
