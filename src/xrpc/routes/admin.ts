// Route table part: staff and operator methods: com.atproto.admin.*, invites, audit, partner keys, server config, repo import, export schedules (06, 10 §6).
// One line per method (handler, auth guard, rate-limit bucket) so auth and limits read on one screen; src/xrpc/routes.ts joins the parts.
import type { RouteEntry } from "../types.ts";
import { staff, user as userAuth, partner as partnerAuth } from "../types.ts";
import * as adminUpdateSubjectStatus from "../../api/com/atproto/admin/updateSubjectStatus.ts";
import * as adminGetSubjectStatus from "../../api/com/atproto/admin/getSubjectStatus.ts";
import * as adminGetAccountInfo from "../../api/com/atproto/admin/getAccountInfo.ts";
import * as adminGetAccountInfos from "../../api/com/atproto/admin/getAccountInfos.ts";
import * as adminUpdateAccountHandle from "../../api/com/atproto/admin/updateAccountHandle.ts";
import * as adminUpdateAccountEmail from "../../api/com/atproto/admin/updateAccountEmail.ts";
import * as adminUpdateAccountPassword from "../../api/com/atproto/admin/updateAccountPassword.ts";
import * as adminGetInviteCodes from "../../api/com/atproto/admin/getInviteCodes.ts";
import * as adminDisableInviteCodes from "../../api/com/atproto/admin/disableInviteCodes.ts";
import * as adminDeleteAccount from "../../api/com/atproto/admin/deleteAccount.ts";
import * as adminCreateAccount from "../../api/net/openfederation/admin/createAccount.ts";
import * as inviteCreate from "../../api/net/openfederation/invite/create.ts";
import * as inviteList from "../../api/net/openfederation/invite/list.ts";
import * as inviteRevoke from "../../api/net/openfederation/invite/revoke.ts";
import * as auditList from "../../api/net/openfederation/audit/list.ts";
import * as adminSendEmail from "../../api/com/atproto/admin/sendEmail.ts";
import * as partnerCreateKey from "../../api/net/openfederation/partner/createKey.ts";
import * as partnerListKeys from "../../api/net/openfederation/partner/listKeys.ts";
import * as partnerRevokeKey from "../../api/net/openfederation/partner/revokeKey.ts";
import * as partnerRegister from "../../api/net/openfederation/partner/register.ts";
import * as serverGetConfig from "../../api/net/openfederation/server/getConfig.ts";
import * as adminImportRepo from "../../api/net/openfederation/admin/importRepo.ts";
import * as adminCreateExportSchedule from "../../api/net/openfederation/admin/createExportSchedule.ts";
import * as adminListExportSchedules from "../../api/net/openfederation/admin/listExportSchedules.ts";
import * as adminDeleteExportSchedule from "../../api/net/openfederation/admin/deleteExportSchedule.ts";
import * as adminListExportSnapshots from "../../api/net/openfederation/admin/listExportSnapshots.ts";
import * as adminGetExportSnapshot from "../../api/net/openfederation/admin/getExportSnapshot.ts";

export const ADMIN_ROUTES: RouteEntry[] = [
  // nsid                                   handler                   auth   rateLimit
  { nsid: "com.atproto.admin.sendEmail", handler: adminSendEmail.handler, auth: staff("admin", "moderator") },
  { nsid: "com.atproto.admin.updateSubjectStatus", handler: adminUpdateSubjectStatus.handler, auth: staff("admin", "moderator") }, // takedown: admin only, in the service
  { nsid: "com.atproto.admin.getSubjectStatus", handler: adminGetSubjectStatus.handler, auth: staff("admin", "moderator", "auditor") },
  { nsid: "com.atproto.admin.getAccountInfo", handler: adminGetAccountInfo.handler, auth: staff("admin", "moderator", "auditor") },
  { nsid: "com.atproto.admin.getAccountInfos", handler: adminGetAccountInfos.handler, auth: staff("admin", "moderator", "auditor") },
  { nsid: "com.atproto.admin.updateAccountHandle", handler: adminUpdateAccountHandle.handler, auth: staff("admin") },
  { nsid: "com.atproto.admin.updateAccountEmail", handler: adminUpdateAccountEmail.handler, auth: staff("admin") },
  { nsid: "com.atproto.admin.updateAccountPassword", handler: adminUpdateAccountPassword.handler, auth: staff("admin") },
  { nsid: "com.atproto.admin.getInviteCodes", handler: adminGetInviteCodes.handler, auth: staff("admin", "moderator", "auditor") },
  { nsid: "com.atproto.admin.disableInviteCodes", handler: adminDisableInviteCodes.handler, auth: staff("admin", "moderator") },
  { nsid: "com.atproto.admin.deleteAccount", handler: adminDeleteAccount.handler, auth: staff("admin") },
  { nsid: "net.openfederation.admin.createAccount", handler: adminCreateAccount.handler, auth: staff("admin") },
  { nsid: "net.openfederation.invite.create", handler: inviteCreate.handler, auth: staff("admin", "moderator"), rateLimit: "create" },
  { nsid: "net.openfederation.invite.list", handler: inviteList.handler, auth: staff("admin", "moderator", "auditor") },
  { nsid: "net.openfederation.invite.revoke", handler: inviteRevoke.handler, auth: staff("admin", "moderator") },
  { nsid: "net.openfederation.audit.list", handler: auditList.handler, auth: staff("admin", "auditor") },
  // partner API (spec 06 §7); the per-key hourly limit is enforced in the service, in the database
  { nsid: "net.openfederation.partner.createKey", handler: partnerCreateKey.handler, auth: staff("admin", "partner-manager") },
  { nsid: "net.openfederation.partner.listKeys", handler: partnerListKeys.handler, auth: staff("admin", "partner-manager", "auditor") },
  { nsid: "net.openfederation.partner.revokeKey", handler: partnerRevokeKey.handler, auth: staff("admin", "partner-manager") },
  { nsid: "net.openfederation.partner.register", handler: partnerRegister.handler, auth: partnerAuth, rateLimit: "registration", rateLimitBrowserOnly: true },
  // server configuration and repo import (spec 06 §9)
  { nsid: "net.openfederation.server.getConfig", handler: serverGetConfig.handler, auth: staff("admin", "auditor") },
  { nsid: "net.openfederation.admin.importRepo", handler: adminImportRepo.handler, auth: staff("admin"), body: { maxBytes: (c) => c.importMaxBytes } },
  // export schedules and snapshots (spec 06 §10)
  { nsid: "net.openfederation.admin.createExportSchedule", handler: adminCreateExportSchedule.handler, auth: staff("admin") },
  { nsid: "net.openfederation.admin.listExportSchedules", handler: adminListExportSchedules.handler, auth: staff("admin") },
  { nsid: "net.openfederation.admin.deleteExportSchedule", handler: adminDeleteExportSchedule.handler, auth: staff("admin") },
  { nsid: "net.openfederation.admin.listExportSnapshots", handler: adminListExportSnapshots.handler, auth: staff("admin") },
  { nsid: "net.openfederation.admin.getExportSnapshot", handler: adminGetExportSnapshot.handler, auth: userAuth },
];
