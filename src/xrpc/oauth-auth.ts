// OAuth access tokens on XRPC (11 §8, interim rule of docs/oauth.md): DPoP proof → token → session → key binding → gates.
import type { AppContext } from "../context.ts";
import type { AccountStatus, AuthGuard, AuthResult } from "./types.ts";
import { forbidden, invalidToken, XrpcError } from "./errors.ts";
import { statusError } from "../account/views.ts";
import { OAuthError, invalidOAuthToken } from "../oauth/errors.ts";
import { allowedWhile } from "./auth.ts";

/**
 * Refused to every OAuth token (11 §8): account management and everything a full password session alone may do.
 * Every `staff(…)` method is refused too: PDS roles never act through OAuth (01 §11).
 */
const OAUTH_REFUSED: ReadonlySet<string> = new Set([
  "com.atproto.server.createAppPassword", "com.atproto.server.listAppPasswords", "com.atproto.server.revokeAppPassword",
  "com.atproto.server.activateAccount", "com.atproto.server.deactivateAccount", "com.atproto.server.requestEmailUpdate",
  "com.atproto.server.updateEmail", "com.atproto.server.requestAccountDelete", "com.atproto.server.deleteAccount",
  "com.atproto.server.getAccountInviteCodes", "com.atproto.temp.checkSignupQueue", "net.openfederation.account.changePassword",
  "net.openfederation.account.listOAuthSessions", "net.openfederation.account.revokeOAuthSession",
  "net.openfederation.community.delete", "net.openfederation.community.transferOwnership", "net.openfederation.community.transfer",
  "net.openfederation.community.cancelTransfer", "net.openfederation.community.prepareImport", "net.openfederation.community.completeImport",
  // interim: granular identity:/account: scopes are not built, so these stay out of reach
  "com.atproto.identity.updateHandle", "com.atproto.identity.submitPlcOperation", "com.atproto.identity.requestPlcOperationSignature",
  "com.atproto.identity.signPlcOperation", "com.atproto.repo.importRepo", "com.atproto.server.requestEmailConfirmation",
  "com.atproto.server.confirmEmail", "net.openfederation.account.export",
]);

/** What a token with `atproto` alone may call (identity only, 11 §7). */
const ATPROTO_ONLY = new Set(["com.atproto.server.getSession", "com.atproto.server.checkAccountStatus", "com.atproto.repo.listMissingBlobs", "com.atproto.identity.getRecommendedDidCredentials"]);
const atprotoOnlyAllows = (nsid: string) =>
  ATPROTO_ONLY.has(nsid) || /^com\.atproto\.repo\.(get|list|describe)[A-Za-z]*$/.test(nsid) || nsid.startsWith("com.atproto.sync.");

const notSupported = () => forbidden("OAuth credentials are not supported for this endpoint");
const toXrpc = (err: unknown): never => {
  if (err instanceof OAuthError) throw new XrpcError(err.status, err.error, err.description, undefined, err.headers);
  throw err;
};

/** The caller authenticated with an OAuth access token (its `sid` is prefixed by oauthAuthenticate). */
export const isOAuthCaller = (auth: AuthResult): boolean => auth.kind === "account" && auth.sid.startsWith("oauth:");

/** True when the Authorization header carries an OAuth access token (DPoP scheme). */
export const isDpopAuthorization = (req: Request): boolean => /^DPoP\s/i.test(req.headers.get("authorization") ?? "");

/** A Bearer token that is one of our OAuth access tokens (ES256 at+jwt): refused with the 11 §8 message. */
export function refuseBearerOAuthToken(token: string): void {
  try {
    const header = JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString("utf8")) as { typ?: unknown; alg?: unknown };
    if (header.typ === "at+jwt" && header.alg === "ES256") throw "oauth";
  } catch (e) {
    if (e === "oauth") toXrpc(invalidOAuthToken("Access token is bound to a DPoP proof, but token type is Bearer"));
  }
}

/**
 * The caller for an `Authorization: DPoP` request. SAFETY: the result is shaped as a non-privileged app-password
 * session (`com.atproto.appPass`, no roles), so every rule that keeps app passwords from full-session and staff
 * methods applies too, on top of OAUTH_REFUSED; `sid` is prefixed so it never names a password session.
 */
export async function oauthAuthenticate(guard: AuthGuard, req: Request, ctx: AppContext, nsid: string): Promise<AuthResult> {
  const token = /^DPoP\s+(\S+)\s*$/i.exec(req.headers.get("authorization") ?? "")?.[1];
  if (!token) throw invalidToken("Malformed Authorization header");
  const { oauth } = ctx.services;
  const url = new URL(req.url);
  let access;
  try {
    const jkt = await oauth.dpop.verify(req.headers.get("dpop"), { method: req.method, path: url.pathname, accessToken: token, resource: true });
    access = await oauth.tokens.verifyAccess(token, jkt);
  } catch (err) {
    return toXrpc(err);
  }
  if (guard.kind === "staff" || guard.kind === "partner" || OAUTH_REFUSED.has(nsid)) throw notSupported();
  if (guard.kind === "refresh" || guard.kind === "session") throw invalidToken("OAuth tokens are not password sessions");
  const scopes = access.scope.split(" ");
  if (!scopes.includes("transition:generic") && !atprotoOnlyAllows(nsid)) {
    throw new XrpcError(403, "ScopeMissingError", 'Missing required scope "transition:generic"');
  }
  const auth: Extract<AuthResult, { kind: "account" }> = { kind: "account", did: access.did, sid: `oauth:${access.sid}`, scope: "com.atproto.appPass", status: access.status as AccountStatus, roles: [] };
  switch (guard.kind) {
    case "none":
    case "none-or-service":
      return { kind: "anonymous" };
    case "optional":
    case "optional-or-remote":
      return auth;
    case "user":
    case "user-or-remote":
      if (auth.status !== "approved") throw statusError(auth.status);
      return auth;
    case "self-any":
      if (!allowedWhile(auth.status, nsid)) throw statusError(auth.status);
      return auth;
    default:
      throw notSupported();
  }
}
