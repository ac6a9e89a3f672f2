// The caller's DID for the full-session-only mail methods; app-password sessions never get here (auth.ts FULL_SESSION_ONLY, 10 §4).
import { invalidToken } from "../../../../xrpc/errors.ts";
import type { AuthResult } from "../../../../xrpc/types.ts";

export function fullSessionDid(auth: AuthResult): string {
  if (auth.kind !== "account") throw invalidToken();
  return auth.did;
}
