// net.openfederation.community.update: profile (profile.write) and settings (settings.write) in one commit (04 §4).
import type { HandlerArgs } from "../../../../xrpc/types.ts";
import type { UpdateCommunityInput } from "../../../../community/index.ts";
import { authRequired } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: HandlerArgs<unknown, UpdateCommunityInput & { did: string }>) {
  if (auth.kind !== "account") throw authRequired();
  const { did, ...fields } = input;
  return ctx.services.communities.update(did, auth.did, fields);
}
