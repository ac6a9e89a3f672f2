// net.openfederation.community.delete: owner, or an admin under the export rule (04 §4, 06 §2).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.community.delete">): Promise<MethodResult<"net.openfederation.community.delete">> {
  if (auth.kind !== "account") throw authRequired();
  return ctx.services.communities.delete(input.did, { did: auth.did, roles: auth.roles });
}
