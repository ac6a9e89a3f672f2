// com.atproto.server.getSession: the caller's account, read from the database (01 §9.5).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { invalidToken } from "../../../../xrpc/errors.ts";
import { sessionView } from "./_session-view.ts";
import { isOAuthCaller } from "../../../../xrpc/oauth-auth.ts";

export async function handler({ ctx, auth }: MethodArgs<"com.atproto.server.getSession">): Promise<MethodResult<"com.atproto.server.getSession">> {
  if (auth.kind !== "account") throw invalidToken();
  const row = await ctx.services.accounts.getRow(auth.did);
  if (!row) throw invalidToken();
  const view = await sessionView(ctx, row);
  // 11 §7-§8 (interim): an OAuth token never sees the email (transition:email is not granted yet) nor PDS roles
  if (isOAuthCaller(auth)) {
    const { email: _email, emailConfirmed: _confirmed, ...rest } = view;
    const out = { ...rest, roles: [] as string[] };
    return out;
  }
  return view;
}
