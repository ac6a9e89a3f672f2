// net.openfederation.community.issueAttestation: a signed attestation record about a member (spec 05 §8).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"net.openfederation.community.issueAttestation">): Promise<MethodResult<"net.openfederation.community.issueAttestation">> {
  return ctx.services.attestations.issue(input.communityDid, auth, input);
}
