// The community Caller (DID + PDS roles) from an AuthResult; anonymous → undefined; a remote actor (04 §9) has no roles.
import type { AuthResult } from "../../../../xrpc/types.ts";
import type { Caller } from "../../../../community/index.ts";

export const callerOf = (auth: AuthResult): Caller => 
  auth.kind === "account" ? { did: auth.did, roles: auth.roles } : auth.kind === "remote" ? { did: auth.did, roles: [] } : undefined;
