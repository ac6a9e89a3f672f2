// net.openfederation.community.listAttestations: newest first, subject/type/expiry filtered before paging (spec 05 §8).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export async function handler({ ctx, params, auth }: MethodArgs<"net.openfederation.community.listAttestations">): Promise<MethodResult<"net.openfederation.community.listAttestations">> {
  return ctx.services.attestations.list(params.communityDid, auth, params);
}
