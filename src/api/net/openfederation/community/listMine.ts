// net.openfederation.community.listMine: the caller's memberships with their role names (04 §4).
import type { MethodArgs } from "../../../../xrpc/types.ts";
import { actorDid } from "../../../../community/remote.ts";

export async function handler({ ctx, params, auth }: MethodArgs<"net.openfederation.community.listMine">) {
  return ctx.services.communities.listMine(params, actorDid(auth)); // a local account or a remote actor (04 §9)
}
