// net.openfederation.community.removeMember: community.member.delete, with the escalation guard of 05 §2 (04 §5).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { authRequired } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.community.removeMember">): Promise<MethodResult<"net.openfederation.community.removeMember">> {
  if (auth.kind !== "account") throw authRequired();
  return ctx.services.membership.removeMember(input.did, auth.did, input.memberDid);
}
