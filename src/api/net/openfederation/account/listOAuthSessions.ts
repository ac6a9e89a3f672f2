// net.openfederation.account.listOAuthSessions: the caller's live OAuth sessions, newest first (11 §9.2).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { invalidToken } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, params, auth }: MethodArgs<"net.openfederation.account.listOAuthSessions">): Promise<MethodResult<"net.openfederation.account.listOAuthSessions">> {
  if (auth.kind !== "account") throw invalidToken();
  return ctx.services.oauth.sessions.list(auth.did, params.limit ?? 50, params.cursor);
}
