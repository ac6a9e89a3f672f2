// com.atproto.server.refreshSession: rotate the refresh token (10 s grace, reuse revokes the session), 01 §9.5.
import type { AccountStatus, MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { invalidToken } from "../../../../xrpc/errors.ts";
import { appPasswordSessionScope, sessionScope } from "../../../../account/login.ts";
import { sessionView } from "./_session-view.ts";

export async function handler({ ctx, auth, req }: MethodArgs<"com.atproto.server.refreshSession">): Promise<MethodResult<"com.atproto.server.refreshSession">> {
  if (auth.kind !== "refresh") throw invalidToken();
  const { accounts, sessions } = ctx.services;
  const row = await accounts.getRow(auth.did);
  if (!row || row.status === "creating") throw invalidToken();
  const status = row.status as AccountStatus;
  // The scope is recomputed from the current status; a session that exists for a moderated account is restricted.
  // An app-password session keeps its app-password scope (10 §4); its app password is read in the rotation's transaction.
  const opts = { allowTakendown: true, queued: true };
  const tokens = await sessions.rotate({ jti: auth.jti, sid: auth.sid, sub: auth.did }, async (session, tx) => {
    if (!session.appPasswordId) return sessionScope(status, opts);
    const privileged = await ctx.services.appPasswords.privilegedInTx(tx, session.appPasswordId);
    if (privileged === undefined) throw invalidToken();
    return appPasswordSessionScope(status, privileged, opts);
  }, req.ip);
  return { ...tokens, ...(await sessionView(ctx, row)) };
}
