// net.openfederation.identity.getExternalKey: one key of an account (06 §6).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { keyNotFound } from "../../../../account/external-keys.ts";
import { hostedAccount } from "./_account.ts";

export async function handler({ ctx, params, auth }: MethodArgs<"net.openfederation.identity.getExternalKey">): Promise<MethodResult<"net.openfederation.identity.getExternalKey">> {
  const acct = await hostedAccount(ctx, params.did, auth);
  if (!acct) throw keyNotFound();
  return ctx.services.externalKeys.get(acct.did, params.rkey);
}
