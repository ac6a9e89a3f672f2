// A hosted account for the public key/profile reads: undefined when the identifier is not an account hosted here
// (communities included), else the account after the 03 §9 availability rules (readableRepo).
import type { AppContext } from "../../../../context.ts";
import type { AuthResult } from "../../../../caller.ts";

export async function hostedAccount(ctx: AppContext, identifier: string, auth: AuthResult): Promise<{ did: string; handle: string } | undefined> {
  const acct = await ctx.services.accounts.lookup(identifier);
  if (!acct || !(await ctx.services.repo.head(acct.did))) return undefined;
  return ctx.services.repoAccess.readable(acct.did, auth);
}
