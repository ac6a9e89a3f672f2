// Full-session-only methods (10 §4): an app-password session gets 400 InvalidToken "Bad token scope" (the reference's answer).
import { XrpcError, invalidToken } from "../../../../xrpc/errors.ts";
import type { AuthResult } from "../../../../xrpc/types.ts";

/** The caller's DID when it holds a full (or restricted) session; app-password sessions are refused with 400. */
export function fullSessionDid(auth: AuthResult): string {
  if (auth.kind !== "account") throw invalidToken();
  if (auth.scope === "com.atproto.appPass" || auth.scope === "com.atproto.appPassPrivileged") throw new XrpcError(400, "InvalidToken", "Bad token scope");
  return auth.did;
}
