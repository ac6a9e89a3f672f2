// Route table part: sessions, accounts, identity, email, app passwords, preferences, external keys and profiles (specs 01, 02, 06 §5-§6, 10 §3-§5).
// One line per method (handler, auth guard, rate-limit bucket) so auth and limits read on one screen; src/xrpc/routes.ts joins the parts.
import type { RouteEntry } from "../types.ts";
import { none, refresh, selfAny, session, staff, optional as optionalAuth, user as userAuth, noneOrService } from "../types.ts";
import * as createSession from "../../api/com/atproto/server/createSession.ts";
import * as refreshSession from "../../api/com/atproto/server/refreshSession.ts";
import * as getSession from "../../api/com/atproto/server/getSession.ts";
import * as checkSignupQueue from "../../api/com/atproto/temp/checkSignupQueue.ts";
import * as deleteSession from "../../api/com/atproto/server/deleteSession.ts";
import * as resolveHandle from "../../api/com/atproto/identity/resolveHandle.ts";
import * as accountRegister from "../../api/net/openfederation/account/register.ts";
import * as accountListPending from "../../api/net/openfederation/account/listPending.ts";
import * as accountList from "../../api/net/openfederation/account/list.ts";
import * as accountApprove from "../../api/net/openfederation/account/approve.ts";
import * as accountChangePassword from "../../api/net/openfederation/account/changePassword.ts";
import * as accountListOAuthSessions from "../../api/net/openfederation/account/listOAuthSessions.ts";
import * as accountRevokeOAuthSession from "../../api/net/openfederation/account/revokeOAuthSession.ts";
import * as accountDisable from "../../api/net/openfederation/account/disable.ts";
import * as accountEnable from "../../api/net/openfederation/account/enable.ts";
import * as accountReject from "../../api/net/openfederation/account/reject.ts";
import * as accountUpdateRoles from "../../api/net/openfederation/account/updateRoles.ts";
import * as describeServer from "../../api/com/atproto/server/describeServer.ts";
import * as getRecommendedDidCredentials from "../../api/com/atproto/identity/getRecommendedDidCredentials.ts";
import * as updateHandle from "../../api/com/atproto/identity/updateHandle.ts";
import * as submitPlcOperation from "../../api/com/atproto/identity/submitPlcOperation.ts";
import * as requestPlcOperationSignature from "../../api/com/atproto/identity/requestPlcOperationSignature.ts";
import * as signPlcOperation from "../../api/com/atproto/identity/signPlcOperation.ts";
import * as requestEmailConfirmation from "../../api/com/atproto/server/requestEmailConfirmation.ts";
import * as confirmEmail from "../../api/com/atproto/server/confirmEmail.ts";
import * as requestEmailUpdate from "../../api/com/atproto/server/requestEmailUpdate.ts";
import * as updateEmail from "../../api/com/atproto/server/updateEmail.ts";
import * as requestPasswordReset from "../../api/com/atproto/server/requestPasswordReset.ts";
import * as resetPassword from "../../api/com/atproto/server/resetPassword.ts";
import * as requestAccountDelete from "../../api/com/atproto/server/requestAccountDelete.ts";
import * as serverDeleteAccount from "../../api/com/atproto/server/deleteAccount.ts";
import * as createAccount from "../../api/com/atproto/server/createAccount.ts";
import * as deactivateAccount from "../../api/com/atproto/server/deactivateAccount.ts";
import * as activateAccount from "../../api/com/atproto/server/activateAccount.ts";
import * as checkAccountStatus from "../../api/com/atproto/server/checkAccountStatus.ts";
import * as getServiceAuth from "../../api/com/atproto/server/getServiceAuth.ts";
import * as identitySetExternalKey from "../../api/net/openfederation/identity/setExternalKey.ts";
import * as identityListExternalKeys from "../../api/net/openfederation/identity/listExternalKeys.ts";
import * as identityGetExternalKey from "../../api/net/openfederation/identity/getExternalKey.ts";
import * as identityDeleteExternalKey from "../../api/net/openfederation/identity/deleteExternalKey.ts";
import * as identityResolveByKey from "../../api/net/openfederation/identity/resolveByKey.ts";
import * as accountUpdateProfile from "../../api/net/openfederation/account/updateProfile.ts";
import * as accountGetProfile from "../../api/net/openfederation/account/getProfile.ts";
import * as accountExport from "../../api/net/openfederation/account/export.ts";
import * as createAppPassword from "../../api/com/atproto/server/createAppPassword.ts";
import * as listAppPasswords from "../../api/com/atproto/server/listAppPasswords.ts";
import * as revokeAppPassword from "../../api/com/atproto/server/revokeAppPassword.ts";
import * as getPreferences from "../../api/app/bsky/actor/getPreferences.ts";
import * as putPreferences from "../../api/app/bsky/actor/putPreferences.ts";

export const ACCOUNT_ROUTES: RouteEntry[] = [
  // nsid                                   handler                   auth   rateLimit
  { nsid: "com.atproto.server.describeServer", handler: describeServer.handler, auth: none },
  { nsid: "com.atproto.identity.getRecommendedDidCredentials", handler: getRecommendedDidCredentials.handler, auth: selfAny },
  // accounts, sessions, invites, audit (spec 01, 06 §8)
  { nsid: "com.atproto.server.createSession", handler: createSession.handler, auth: none, rateLimit: "auth" },
  { nsid: "com.atproto.server.refreshSession", handler: refreshSession.handler, auth: refresh, rateLimit: "auth" },
  { nsid: "com.atproto.server.getSession", handler: getSession.handler, auth: selfAny },
  { nsid: "com.atproto.temp.checkSignupQueue", handler: checkSignupQueue.handler, auth: selfAny },
  { nsid: "com.atproto.server.deleteSession", handler: deleteSession.handler, auth: session },
  { nsid: "com.atproto.identity.resolveHandle", handler: resolveHandle.handler, auth: none, rateLimit: "discovery" },
  { nsid: "com.atproto.identity.updateHandle", handler: updateHandle.handler, auth: userAuth }, // 5/day/account: enforced in the handler
  { nsid: "com.atproto.identity.submitPlcOperation", handler: submitPlcOperation.handler, auth: selfAny },
  { nsid: "com.atproto.identity.requestPlcOperationSignature", handler: requestPlcOperationSignature.handler, auth: selfAny }, // full session; 5/h/account
  { nsid: "com.atproto.identity.signPlcOperation", handler: signPlcOperation.handler, auth: selfAny }, // full session
  { nsid: "com.atproto.server.requestEmailConfirmation", handler: requestEmailConfirmation.handler, auth: selfAny }, // 5/h, 15/day/account
  { nsid: "com.atproto.server.confirmEmail", handler: confirmEmail.handler, auth: selfAny },
  { nsid: "com.atproto.server.requestEmailUpdate", handler: requestEmailUpdate.handler, auth: userAuth }, // full session; 5/h, 15/day/account
  { nsid: "com.atproto.server.updateEmail", handler: updateEmail.handler, auth: userAuth }, // full session
  { nsid: "com.atproto.server.requestPasswordReset", handler: requestPasswordReset.handler, auth: none }, // 3/h/account
  { nsid: "com.atproto.server.resetPassword", handler: resetPassword.handler, auth: none },
  { nsid: "com.atproto.server.requestAccountDelete", handler: requestAccountDelete.handler, auth: selfAny }, // full session; 5/h/account
  { nsid: "com.atproto.server.deleteAccount", handler: serverDeleteAccount.handler, auth: none }, // password under the login lockout
  { nsid: "net.openfederation.account.register", handler: accountRegister.handler, auth: none, rateLimit: "registration" },
  { nsid: "net.openfederation.account.listPending", handler: accountListPending.handler, auth: staff("admin", "moderator") },
  { nsid: "net.openfederation.account.list", handler: accountList.handler, auth: staff("admin", "moderator", "auditor") },
  { nsid: "net.openfederation.account.approve", handler: accountApprove.handler, auth: staff("admin", "moderator") },
  { nsid: "net.openfederation.account.changePassword", handler: accountChangePassword.handler, auth: selfAny, rateLimit: "auth" },
  // 11 §9.2: full password sessions only (FULL_SESSION_ONLY in auth.ts; OAuth tokens are refused)
  { nsid: "net.openfederation.account.listOAuthSessions", handler: accountListOAuthSessions.handler, auth: selfAny },
  { nsid: "net.openfederation.account.revokeOAuthSession", handler: accountRevokeOAuthSession.handler, auth: selfAny },
  { nsid: "net.openfederation.account.disable", handler: accountDisable.handler, auth: staff("admin") },
  { nsid: "net.openfederation.account.enable", handler: accountEnable.handler, auth: staff("admin") },
  { nsid: "net.openfederation.account.reject", handler: accountReject.handler, auth: staff("admin", "moderator") },
  { nsid: "net.openfederation.account.updateRoles", handler: accountUpdateRoles.handler, auth: staff("admin") },
  // account lifecycle and migration (spec 03 §4, §8, 06 §3)
  { nsid: "com.atproto.server.createAccount", handler: createAccount.handler, auth: noneOrService, rateLimit: "registration" },
  { nsid: "com.atproto.server.deactivateAccount", handler: deactivateAccount.handler, auth: userAuth },
  { nsid: "com.atproto.server.activateAccount", handler: activateAccount.handler, auth: selfAny },
  { nsid: "com.atproto.server.checkAccountStatus", handler: checkAccountStatus.handler, auth: selfAny },
  { nsid: "com.atproto.server.getServiceAuth", handler: getServiceAuth.handler, auth: selfAny },
  // external keys and profiles (spec 06 §5, §6); public reads behind the discovery limiter (06 §11)
  { nsid: "net.openfederation.identity.setExternalKey", handler: identitySetExternalKey.handler, auth: userAuth },
  { nsid: "net.openfederation.identity.deleteExternalKey", handler: identityDeleteExternalKey.handler, auth: userAuth },
  { nsid: "net.openfederation.identity.listExternalKeys", handler: identityListExternalKeys.handler, auth: none, rateLimit: "discovery" },
  { nsid: "net.openfederation.identity.getExternalKey", handler: identityGetExternalKey.handler, auth: none, rateLimit: "discovery" },
  { nsid: "net.openfederation.identity.resolveByKey", handler: identityResolveByKey.handler, auth: none, rateLimit: "discovery" },
  { nsid: "net.openfederation.account.updateProfile", handler: accountUpdateProfile.handler, auth: userAuth },
  { nsid: "net.openfederation.account.getProfile", handler: accountGetProfile.handler, auth: optionalAuth, rateLimit: "discovery" },
  // account export (06 §4): self-any (the 01 §9.3 allowlists admit it), or staff with a full session (checked in the service)
  { nsid: "net.openfederation.account.export", handler: accountExport.handler, auth: selfAny },
  // app passwords (10 §4): approved accounts; createAppPassword refuses app-password sessions (auth.ts FULL_SESSION_ONLY)
  { nsid: "com.atproto.server.createAppPassword", handler: createAppPassword.handler, auth: userAuth },
  { nsid: "com.atproto.server.listAppPasswords", handler: listAppPasswords.handler, auth: userAuth },
  { nsid: "com.atproto.server.revokeAppPassword", handler: revokeAppPassword.handler, auth: userAuth },
  // preferences (10 §3): self-any (approved, deactivated; get also restricted, per the 01 §9.3 allowlists), served locally
  { nsid: "app.bsky.actor.getPreferences", handler: getPreferences.handler, auth: selfAny },
  { nsid: "app.bsky.actor.putPreferences", handler: putPreferences.handler, auth: selfAny, precheck: putPreferences.precheck },
];
