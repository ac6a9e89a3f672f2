// Who is calling and in what state (leaf module, imports nothing): plain domain types that the XRPC layer fills in.

/** Account statuses (spec 01 §2). */
export type AccountStatus = "creating" | "pending" | "approved" | "rejected" | "deactivated" | "disabled" | "suspended" | "takendown";

/** Access-token scopes (spec 01 §9.1). */
export type AccessScope = "com.atproto.access" | "com.atproto.takendown" | "com.atproto.signupQueued" | "com.atproto.appPass" | "com.atproto.appPassPrivileged";

/** What authentication established about the caller; services branch on `kind`. Status and roles come from the database per request. */
export type AuthResult =
  | { kind: "anonymous" }
  | { kind: "account"; did: string; sid: string; scope: AccessScope; status: AccountStatus; roles: string[] }
  | { kind: "refresh"; did: string; sid: string; jti: string }
  /** an account hosted elsewhere, by a service-auth JWT verified for this method (04 §9); never holds PDS roles */
  | { kind: "remote"; did: string }
  /** a partner app by its X-Partner-Key (06 §7): key live, permission held, Origin allowed or absent */
  | { kind: "partner"; keyId: string; partnerName: string; origin?: string };

/** The caller as domain code sees it (the same value as AuthResult). */
export type Caller = AuthResult;
