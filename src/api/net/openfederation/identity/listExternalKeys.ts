// net.openfederation.identity.listExternalKeys: an account's keys by rkey (06 §6); a DID not hosted here → empty list.
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { hostedAccount } from "./_account.ts";

export async function handler({ ctx, params, auth }: MethodArgs<"net.openfederation.identity.listExternalKeys">): Promise<MethodResult<"net.openfederation.identity.listExternalKeys">> {
  const acct = await hostedAccount(ctx, params.did, auth);
  if (!acct) return { keys: [] };
  return ctx.services.externalKeys.list(acct.did, { purpose: params.purpose, limit: params.limit, cursor: params.cursor });
}
