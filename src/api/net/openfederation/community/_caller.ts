// The community Caller (DID + PDS roles) from an AuthResult; anonymous → undefined.
import type { AuthResult } from "../../../../xrpc/types.ts";
import type { Caller } from "../../../../community/index.ts";

export const callerOf = (auth: AuthResult): Caller => (auth.kind === "account" ? { did: auth.did, roles: auth.roles } : undefined);
