// Authentication step of the pipeline (spec 00 §6, 01 §9.2–9.3): token verification, status gate, staff roles.
import type { AppContext } from "../context.ts";
import type { AccountStatus, AuthGuard, AuthResult } from "./types.ts";
import { authRequired, expiredToken, forbidden, invalidToken, XrpcError } from "./errors.ts";
import { verifyJwt, type JwtClaims, type TokenType } from "../account/jwt.ts";
import { statusError } from "../account/views.ts";
import { looksLikeServiceAuth } from "../identity/service-auth.ts";
import { isDpopAuthorization, oauthAuthenticate, refuseBearerOAuthToken } from "./oauth-auth.ts";

/** Guard kinds this build can verify; buildXrpcApp refuses a route table that uses any other kind. */
export const SUPPORTED_GUARDS: ReadonlySet<AuthGuard["kind"]> = new Set(["none", "optional", "user", "self-any", "staff", "refresh", "session", "none-or-service", "user-or-remote", "optional-or-remote", "partner"]);

/**
 * Methods a non-approved account may call with its session (01 §9.3). Own-repo reads are added by the repo
 * issue when those methods exist; names listed here that no route serves yet are harmless.
 */
const COMMON = ["com.atproto.server.getSession", "com.atproto.server.refreshSession", "com.atproto.server.deleteSession"];
const ALLOWLIST: Partial<Record<AccountStatus, ReadonlySet<string>>> = {
  deactivated: new Set([
    ...COMMON, "com.atproto.server.activateAccount", "com.atproto.server.checkAccountStatus", "net.openfederation.account.export",
    "net.openfederation.account.changePassword", "com.atproto.repo.importRepo", "com.atproto.repo.uploadBlob",
    "com.atproto.repo.listMissingBlobs", "com.atproto.identity.getRecommendedDidCredentials",
    "com.atproto.identity.submitPlcOperation", "com.atproto.server.getServiceAuth", "com.atproto.temp.checkSignupQueue",
    "app.bsky.actor.getPreferences", "app.bsky.actor.putPreferences", // 10 §3 (migration copies preferences into a deactivated account)
  ]),
  suspended: new Set([...COMMON, "com.atproto.server.checkAccountStatus", "net.openfederation.account.export", "com.atproto.server.getServiceAuth"]),
  takendown: new Set([...COMMON, "com.atproto.server.checkAccountStatus", "net.openfederation.account.export", "com.atproto.server.getServiceAuth"]),
  disabled: new Set([...COMMON, "com.atproto.server.checkAccountStatus", "net.openfederation.account.export", "com.atproto.server.getServiceAuth"]),
  pending: new Set([...COMMON, "com.atproto.temp.checkSignupQueue"]),
};

// 10 §3: restricted sessions may read their preferences
for (const s of ["suspended", "takendown", "disabled"] as const) (ALLOWLIST[s] as Set<string>).add("app.bsky.actor.getPreferences");
// 10 §5.3: a deactivated holder may confirm their email and ask for deletion; every holder may get a PLC operation signed (migration out)
for (const m of ["com.atproto.server.requestEmailConfirmation", "com.atproto.server.confirmEmail", "com.atproto.server.requestAccountDelete"]) (ALLOWLIST.deactivated as Set<string>).add(m);
// 11 §9.2: a deactivated holder may list and revoke its OAuth sessions
for (const m of ["net.openfederation.account.listOAuthSessions", "net.openfederation.account.revokeOAuthSession"]) (ALLOWLIST.deactivated as Set<string>).add(m);
for (const s of ["deactivated", "suspended", "takendown", "disabled"] as const) {
  for (const m of ["com.atproto.identity.requestPlcOperationSignature", "com.atproto.identity.signPlcOperation"]) (ALLOWLIST[s] as Set<string>).add(m);
}

/**
 * Full-session-only methods (10 §4): app-password sessions, privileged or not, get 400 InvalidToken "Bad token scope"
 * (400 so clients keep the session). Every `staff(…)` method is full-only too (01 §11). Names no route serves yet are harmless.
 */
const FULL_SESSION_ONLY: ReadonlySet<string> = new Set([
  "com.atproto.server.createAppPassword", "com.atproto.server.activateAccount", "com.atproto.server.deactivateAccount",
  "com.atproto.server.requestAccountDelete", "com.atproto.server.requestEmailUpdate", "com.atproto.server.updateEmail",
  "com.atproto.server.getAccountInviteCodes", "com.atproto.identity.requestPlcOperationSignature",
  "com.atproto.identity.signPlcOperation", "com.atproto.identity.submitPlcOperation", "com.atproto.repo.importRepo",
  "net.openfederation.account.changePassword", "net.openfederation.account.listOAuthSessions",
  "net.openfederation.account.revokeOAuthSession", "net.openfederation.community.delete",
  "net.openfederation.community.transferOwnership", "net.openfederation.community.transfer",
  "net.openfederation.community.cancelTransfer", "net.openfederation.community.prepareImport",
  "net.openfederation.community.completeImport", "com.atproto.server.deleteAccount",
]);

export const isAppPassScope = (scope: string): boolean => scope === "com.atproto.appPass" || scope === "com.atproto.appPassPrivileged";

const badTokenScope = () => new XrpcError(400, "InvalidToken", "Bad token scope");

/**
 * Refuses an app-password session on a full-only method. A restricted session (takendown scope) created with an
 * app password is not full either: for those few methods the session's binding is read from the database.
 */
async function assertFullIfRequired(ctx: AppContext, auth: Extract<AuthResult, { kind: "account" }>, nsid: string, staffGuard: boolean): Promise<void> {
  if (!staffGuard && !FULL_SESSION_ONLY.has(nsid)) return;
  if (isAppPassScope(auth.scope)) throw badTokenScope();
  if (auth.scope === "com.atproto.takendown" && FULL_SESSION_ONLY.has(nsid) && (await ctx.services.sessions.appPasswordBound(auth.sid))) throw badTokenScope();
}

/** A full password session (not bound to an app password): what personalDetailsPref and account.export's staff path need. */
export async function isFullSession(ctx: AppContext, auth: AuthResult): Promise<boolean> {
  if (auth.kind !== "account" || isAppPassScope(auth.scope)) return false;
  return auth.scope === "com.atproto.access" || !(await ctx.services.sessions.appPasswordBound(auth.sid));
}

export function allowedWhile(status: AccountStatus, nsid: string): boolean {
  if (status === "approved") return true;
  return ALLOWLIST[status]?.has(nsid) ?? false;
}

function bearer(req: Request): string | undefined {
  const h = req.headers.get("authorization");
  if (h === null) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  if (!m) throw invalidToken("Malformed Authorization header");
  return m[1];
}

/** Signature + alg → exp → aud (01 §9.2). */
function verifyToken(ctx: AppContext, token: string): { typ: TokenType; claims: JwtClaims } {
  const v = verifyJwt(ctx.secrets.authJwtSecret, token, Math.floor(ctx.services.clock() / 1000));
  if (!v.ok) throw v.reason === "expired" ? expiredToken() : invalidToken();
  if (v.claims.aud !== ctx.config.serviceDid) throw invalidToken();
  if (v.typ === "refresh+jwt" ? v.claims.scope !== "com.atproto.refresh" : v.claims.scope === "com.atproto.refresh") throw invalidToken();
  return v;
}

/** Verifies an access JWT all the way: session live, account exists; status and roles from the database. */
async function accessAuth(ctx: AppContext, token: string): Promise<Extract<AuthResult, { kind: "account" }>> {
  const { typ, claims } = verifyToken(ctx, token);
  if (typ !== "at+jwt") throw invalidToken("A refresh token cannot be used here");
  const row = await ctx.services.sessions.accessOf(claims.sid, claims.sub); // one statement: this runs on every request
  if (!row.live) throw invalidToken();
  if (!row.did || !row.status || row.status === "creating") throw invalidToken();
  return {
    kind: "account",
    did: row.did,
    sid: claims.sid,
    scope: claims.scope as Extract<AuthResult, { kind: "account" }>["scope"],
    status: row.status as AccountStatus,
    roles: row.roles,
  };
}

async function refreshAuth(ctx: AppContext, token: string, checkSession: boolean): Promise<Extract<AuthResult, { kind: "refresh" }>> {
  const { typ, claims } = verifyToken(ctx, token);
  if (typ !== "refresh+jwt") throw invalidToken("An access token cannot be used here");
  if (checkSession && !(await ctx.services.sessions.isLive(claims.sid))) throw invalidToken();
  return { kind: "refresh", did: claims.sub, sid: claims.sid, jti: claims.jti };
}

/** Status gate for a full-access method: only `approved` accounts with a full-access session. */
function gateUser(auth: Extract<AuthResult, { kind: "account" }>): void {
  if (auth.status !== "approved") throw statusError(auth.status);
  if (auth.scope !== "com.atproto.access" && !isAppPassScope(auth.scope)) throw invalidToken("This session is restricted");
}

/** PDS roles whose calls skip the per-IP `create` and `registration` limiters (they are accountable by name, not by IP). */
const LIMIT_EXEMPT_ROLES: readonly string[] = ["admin", "moderator"];

/**
 * True when the request carries a valid full-access token of an approved admin or moderator. Never throws:
 * a bad or missing token simply is not staff, and the method's own guard answers for it in step 5.
 */
export async function isLimitExemptStaff(req: Request, ctx: AppContext): Promise<boolean> {
  try {
    const token = bearer(req);
    if (token === undefined) return false;
    const auth = await accessAuth(ctx, token);
    return auth.status === "approved" && auth.scope === "com.atproto.access" && auth.roles.some((r) => LIMIT_EXEMPT_ROLES.includes(r));
  } catch {
    return false;
  }
}

const nsidOf = (req: Request): string => new URL(req.url).pathname.slice("/xrpc/".length);

/** Establish the caller for a method. A present `Authorization` header must be valid for every guard (00 §4). */
export async function authenticate(guard: AuthGuard, req: Request, ctx: AppContext): Promise<AuthResult> {
  // OAuth access tokens (11 §8): `Authorization: DPoP`; the same token sent as Bearer is refused by name
  if (isDpopAuthorization(req)) return oauthAuthenticate(guard, req, ctx, nsidOf(req));
  const token = bearer(req);
  if (token !== undefined) refuseBearerOAuthToken(token);
  switch (guard.kind) {
    case "none":
    case "optional": {
      if (token === undefined) return { kind: "anonymous" };
      // Valid tokens of either kind are accepted here; an invalid one is a 401 even though none was required.
      const typ = verifyToken(ctx, token).typ;
      if (typ === "refresh+jwt") {
        await refreshAuth(ctx, token, true);
        return { kind: "anonymous" };
      }
      const auth = await accessAuth(ctx, token);
      await assertFullIfRequired(ctx, auth, nsidOf(req), false);
      return guard.kind === "optional" ? auth : { kind: "anonymous" };
    }
    case "user": {
      if (token === undefined) throw authRequired();
      const auth = await accessAuth(ctx, token);
      await assertFullIfRequired(ctx, auth, nsidOf(req), false);
      gateUser(auth);
      return auth;
    }
    case "staff": {
      if (token === undefined) throw authRequired();
      const auth = await accessAuth(ctx, token);
      await assertFullIfRequired(ctx, auth, nsidOf(req), true);
      gateUser(auth);
      if (!auth.roles.some((r) => guard.roles.includes(r))) throw forbidden("This method requires a staff role");
      return auth;
    }
    case "self-any": {
      if (token === undefined) throw authRequired();
      const auth = await accessAuth(ctx, token);
      await assertFullIfRequired(ctx, auth, nsidOf(req), false);
      if (!allowedWhile(auth.status, nsidOf(req))) throw statusError(auth.status);
      return auth;
    }
    case "refresh": {
      if (token === undefined) throw authRequired();
      return refreshAuth(ctx, token, false);
    }
    case "session": {
      // deleteSession: a refresh or access JWT whose session may already be revoked (idempotent revoke).
      if (token === undefined) throw authRequired();
      const { typ, claims } = verifyToken(ctx, token);
      return typ === "refresh+jwt"
        ? { kind: "refresh", did: claims.sub, sid: claims.sid, jti: claims.jti }
        : { kind: "refresh", did: claims.sub, sid: claims.sid, jti: "" };
    }
    case "none-or-service": {
      // createAccount (migration in): an ES256K/ES256 token is a service-auth JWT; the handler verifies it
      // (ctx.services.serviceAuth.verify) because only it knows which DID the token must come from.
      if (token !== undefined && looksLikeServiceAuth(token)) return { kind: "anonymous" };
      return authenticate({ kind: "none" }, req, ctx);
    }
    case "user-or-remote":
    case "optional-or-remote": {
      // Remote members (04 §9): an ES256K/ES256 bearer token is a service-auth JWT from an account on another
      // server, verified here with lxm = this method (401 when REMOTE_MEMBERS_ENABLED=false). Anything else is
      // the ordinary `user` / `optional` path.
      if (token !== undefined && looksLikeServiceAuth(token)) return ctx.services.remoteMembers.auth(token, nsidOf(req));
      return authenticate({ kind: guard.kind === "user-or-remote" ? "user" : "optional" }, req, ctx);
    }
    case "partner":
      // partner.register (06 §7): the X-Partner-Key header, not a bearer token (a present one must still be valid, 00 §4);
      // the Origin check is independent of CORS
      if (token !== undefined) await authenticate({ kind: "none" }, req, ctx);
      return ctx.services.partner.authenticate(req.headers.get("x-partner-key"), req.headers.get("origin"));
    default:
      throw new Error(`auth guard "${guard.kind}" has no verifier yet`);
  }
}
