// The route table: every XRPC method this server answers, with its handler, auth guard and rate-limit bucket.
// One line per method so auth and limits can be audited on one screen. The method's verb, input and output
// come from its lexicon. Out-of-scope com.atproto.* methods (spec 00 §1) are simply absent → 404 MethodNotFound.
import { none, refresh, selfAny, session, staff, type RouteEntry } from "./types.ts";
import * as createSession from "../api/com/atproto/server/createSession.ts";
import * as refreshSession from "../api/com/atproto/server/refreshSession.ts";
import * as getSession from "../api/com/atproto/server/getSession.ts";
import * as deleteSession from "../api/com/atproto/server/deleteSession.ts";
import * as resolveHandle from "../api/com/atproto/identity/resolveHandle.ts";
import * as accountRegister from "../api/net/openfederation/account/register.ts";
import * as accountListPending from "../api/net/openfederation/account/listPending.ts";
import * as accountList from "../api/net/openfederation/account/list.ts";
import * as accountApprove from "../api/net/openfederation/account/approve.ts";
import * as accountReject from "../api/net/openfederation/account/reject.ts";
import * as accountUpdateRoles from "../api/net/openfederation/account/updateRoles.ts";
import * as inviteCreate from "../api/net/openfederation/invite/create.ts";
import * as inviteList from "../api/net/openfederation/invite/list.ts";
import * as inviteRevoke from "../api/net/openfederation/invite/revoke.ts";
import * as auditList from "../api/net/openfederation/audit/list.ts";
import * as describeServer from "../api/com/atproto/server/describeServer.ts";
import * as getRecommendedDidCredentials from "../api/com/atproto/identity/getRecommendedDidCredentials.ts";

export const ROUTES: RouteEntry[] = [
  // nsid                                   handler                   auth   rateLimit
  { nsid: "com.atproto.server.describeServer", handler: describeServer.handler, auth: none },
  { nsid: "com.atproto.identity.getRecommendedDidCredentials", handler: getRecommendedDidCredentials.handler, auth: selfAny },
  // accounts, sessions, invites, audit (spec 01, 06 §8)
  { nsid: "com.atproto.server.createSession", handler: createSession.handler, auth: none, rateLimit: "auth" },
  { nsid: "com.atproto.server.refreshSession", handler: refreshSession.handler, auth: refresh, rateLimit: "auth" },
  { nsid: "com.atproto.server.getSession", handler: getSession.handler, auth: selfAny },
  { nsid: "com.atproto.server.deleteSession", handler: deleteSession.handler, auth: session },
  { nsid: "com.atproto.identity.resolveHandle", handler: resolveHandle.handler, auth: none, rateLimit: "discovery" },
  { nsid: "net.openfederation.account.register", handler: accountRegister.handler, auth: none, rateLimit: "registration" },
  { nsid: "net.openfederation.account.listPending", handler: accountListPending.handler, auth: staff("admin", "moderator") },
  { nsid: "net.openfederation.account.list", handler: accountList.handler, auth: staff("admin", "moderator", "auditor") },
  { nsid: "net.openfederation.account.approve", handler: accountApprove.handler, auth: staff("admin", "moderator") },
  { nsid: "net.openfederation.account.reject", handler: accountReject.handler, auth: staff("admin", "moderator") },
  { nsid: "net.openfederation.account.updateRoles", handler: accountUpdateRoles.handler, auth: staff("admin") },
  { nsid: "net.openfederation.invite.create", handler: inviteCreate.handler, auth: staff("admin", "moderator"), rateLimit: "create" },
  { nsid: "net.openfederation.invite.list", handler: inviteList.handler, auth: staff("admin", "moderator", "auditor") },
  { nsid: "net.openfederation.invite.revoke", handler: inviteRevoke.handler, auth: staff("admin", "moderator") },
  { nsid: "net.openfederation.audit.list", handler: auditList.handler, auth: staff("admin", "auditor") },
];
