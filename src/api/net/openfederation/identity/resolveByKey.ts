// net.openfederation.identity.resolveByKey: every approved account claiming a public key, earliest claim first (06 §6).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export async function handler({ ctx, params }: MethodArgs<"net.openfederation.identity.resolveByKey">): Promise<MethodResult<"net.openfederation.identity.resolveByKey">> {
  return ctx.services.externalKeys.resolve(params.publicKey, { purpose: params.purpose, limit: params.limit, cursor: params.cursor });
}
