// net.openfederation.community.deleteAttestation: revocation is a signed delete commit; the reason is audited (spec 05 §8).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.community.deleteAttestation">): Promise<MethodResult<"net.openfederation.community.deleteAttestation">> {
  return ctx.services.attestations.delete(input.communityDid, auth, input.rkey, input.reason);
}
