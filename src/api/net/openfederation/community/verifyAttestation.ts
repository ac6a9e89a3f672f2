// net.openfederation.community.verifyAttestation: local or remote (signature + MST proof) verification; always a 200 (spec 05 §8).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export async function handler({ ctx, params, auth }: MethodArgs<"net.openfederation.community.verifyAttestation">): Promise<MethodResult<"net.openfederation.community.verifyAttestation">> {
  return ctx.services.attestationVerifier.verify(params.communityDid, params.rkey, auth);
}
