// com.atproto.admin.disableInviteCodes: revoke codes and every code of some accounts; one invite.revoke audit row per code (10 §6).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { forbidden, invalidRequest } from "../../../../errors.ts";

const MAX_CODES = 1000;
const MAX_ACCOUNTS = 100;

export async function handler({ ctx, input, auth }: MethodArgs<"com.atproto.admin.disableInviteCodes">): Promise<MethodResult<"com.atproto.admin.disableInviteCodes">> {
  if (auth.kind !== "account") throw forbidden();
  if ((input.codes?.length ?? 0) > MAX_CODES) throw invalidRequest(`At most ${MAX_CODES} codes per call`);
  if ((input.accounts?.length ?? 0) > MAX_ACCOUNTS) throw invalidRequest(`At most ${MAX_ACCOUNTS} accounts per call`);
  await ctx.services.invites.disableCodes(auth.did, { codes: input.codes, accounts: input.accounts });
}
