// net.openfederation.account.getProfile: an account's Bluesky profile and custom profiles (06 §5).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { profileNotFound } from "../../../../account/profile.ts";
import { hostedAccount } from "../identity/_account.ts";

export async function handler({ ctx, params, auth }: MethodArgs<"net.openfederation.account.getProfile">): Promise<MethodResult<"net.openfederation.account.getProfile">> {
  const acct = await hostedAccount(ctx, params.did, auth);
  if (!acct) throw profileNotFound();
  return { did: acct.did, handle: acct.handle, ...(await ctx.services.profiles.get(acct.did)) };
}
