// com.atproto.server.getSession: the caller's account, read from the database (01 §9.5).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { invalidToken } from "../../../../xrpc/errors.ts";
import { sessionView } from "./_session-view.ts";

export function handler({ ctx, auth }: MethodArgs<"com.atproto.server.getSession">): MethodResult<"com.atproto.server.getSession"> {
  if (auth.kind !== "account") throw invalidToken();
  const row = ctx.services.accounts.getRow(auth.did);
  if (!row) throw invalidToken();
  return sessionView(ctx, row);
}
