// The route table: every XRPC method this server answers, with its handler, auth guard and rate-limit bucket.
// One line per method so auth and limits can be audited on one screen. The method's verb, input and output
// come from its lexicon. Out-of-scope com.atproto.* methods (spec 00 §1) are simply absent → 404 MethodNotFound.
import { none, refresh, selfAny, session, staff, type RouteEntry } from "./types.ts";
import * as createSession from "../api/com/atproto/server/createSession.ts";
import * as refreshSession from "../api/com/atproto/server/refreshSession.ts";
import * as getSession from "../api/com/atproto/server/getSession.ts";
import * as checkSignupQueue from "../api/com/atproto/temp/checkSignupQueue.ts";
import * as deleteSession from "../api/com/atproto/server/deleteSession.ts";
import * as resolveHandle from "../api/com/atproto/identity/resolveHandle.ts";
import * as accountRegister from "../api/net/openfederation/account/register.ts";
import * as accountListPending from "../api/net/openfederation/account/listPending.ts";
import * as accountList from "../api/net/openfederation/account/list.ts";
import * as accountApprove from "../api/net/openfederation/account/approve.ts";
import * as accountChangePassword from "../api/net/openfederation/account/changePassword.ts";
import * as accountListOAuthSessions from "../api/net/openfederation/account/listOAuthSessions.ts";
import * as accountRevokeOAuthSession from "../api/net/openfederation/account/revokeOAuthSession.ts";
import * as accountDisable from "../api/net/openfederation/account/disable.ts";
import * as accountEnable from "../api/net/openfederation/account/enable.ts";
import * as accountReject from "../api/net/openfederation/account/reject.ts";
import * as accountUpdateRoles from "../api/net/openfederation/account/updateRoles.ts";
// account and community moderation by subject (spec 06 §1)
import * as adminUpdateSubjectStatus from "../api/com/atproto/admin/updateSubjectStatus.ts";
import * as adminGetSubjectStatus from "../api/com/atproto/admin/getSubjectStatus.ts";
// the rest of com.atproto.admin.* (10 §6) and admin.createAccount (08 §2 account create)
import * as adminGetAccountInfo from "../api/com/atproto/admin/getAccountInfo.ts";
import * as adminGetAccountInfos from "../api/com/atproto/admin/getAccountInfos.ts";
import * as adminUpdateAccountHandle from "../api/com/atproto/admin/updateAccountHandle.ts";
import * as adminUpdateAccountEmail from "../api/com/atproto/admin/updateAccountEmail.ts";
import * as adminUpdateAccountPassword from "../api/com/atproto/admin/updateAccountPassword.ts";
import * as adminGetInviteCodes from "../api/com/atproto/admin/getInviteCodes.ts";
import * as adminDisableInviteCodes from "../api/com/atproto/admin/disableInviteCodes.ts";
import * as adminDeleteAccount from "../api/com/atproto/admin/deleteAccount.ts";
import * as adminCreateAccount from "../api/net/openfederation/admin/createAccount.ts";
import * as inviteCreate from "../api/net/openfederation/invite/create.ts";
import * as inviteList from "../api/net/openfederation/invite/list.ts";
import * as inviteRevoke from "../api/net/openfederation/invite/revoke.ts";
import * as auditList from "../api/net/openfederation/audit/list.ts";
import * as describeServer from "../api/com/atproto/server/describeServer.ts";
import * as getRecommendedDidCredentials from "../api/com/atproto/identity/getRecommendedDidCredentials.ts";
// handles and holder-signed PLC operations (spec 02 §6, §11)
import * as updateHandle from "../api/com/atproto/identity/updateHandle.ts";
import * as submitPlcOperation from "../api/com/atproto/identity/submitPlcOperation.ts";
import * as requestPlcOperationSignature from "../api/com/atproto/identity/requestPlcOperationSignature.ts";
import * as signPlcOperation from "../api/com/atproto/identity/signPlcOperation.ts";
// email flows by mailed token (10 §5.3): per-account and per-IP limits are enforced in the services
import * as requestEmailConfirmation from "../api/com/atproto/server/requestEmailConfirmation.ts";
import * as confirmEmail from "../api/com/atproto/server/confirmEmail.ts";
import * as requestEmailUpdate from "../api/com/atproto/server/requestEmailUpdate.ts";
import * as updateEmail from "../api/com/atproto/server/updateEmail.ts";
import * as requestPasswordReset from "../api/com/atproto/server/requestPasswordReset.ts";
import * as resetPassword from "../api/com/atproto/server/resetPassword.ts";
import * as requestAccountDelete from "../api/com/atproto/server/requestAccountDelete.ts";
import * as serverDeleteAccount from "../api/com/atproto/server/deleteAccount.ts";
import * as adminSendEmail from "../api/com/atproto/admin/sendEmail.ts";

// repo engine (spec 03 §4, §6)
import { optional as optionalAuth, optionalOrRemote, user as userAuth, userOrRemote } from "./types.ts";
import * as repoCreateRecord from "../api/com/atproto/repo/createRecord.ts";
import * as repoPutRecord from "../api/com/atproto/repo/putRecord.ts";
import * as repoDeleteRecord from "../api/com/atproto/repo/deleteRecord.ts";
import * as repoApplyWrites from "../api/com/atproto/repo/applyWrites.ts";
import * as repoGetRecord from "../api/com/atproto/repo/getRecord.ts";
import * as repoListRecords from "../api/com/atproto/repo/listRecords.ts";
import * as repoDescribeRepo from "../api/com/atproto/repo/describeRepo.ts";
import * as syncGetRepo from "../api/com/atproto/sync/getRepo.ts";
import * as syncGetLatestCommit from "../api/com/atproto/sync/getLatestCommit.ts";
import * as syncGetRecord from "../api/com/atproto/sync/getRecord.ts";

// account lifecycle and migration (spec 03 §4 importRepo, §8, 06 §3)
import { noneOrService } from "./types.ts";
import * as createAccount from "../api/com/atproto/server/createAccount.ts";
import * as deactivateAccount from "../api/com/atproto/server/deactivateAccount.ts";
import * as activateAccount from "../api/com/atproto/server/activateAccount.ts";
import * as checkAccountStatus from "../api/com/atproto/server/checkAccountStatus.ts";
import * as getServiceAuth from "../api/com/atproto/server/getServiceAuth.ts";
import * as repoImportRepo from "../api/com/atproto/repo/importRepo.ts";

// blobs and hosting reads (spec 03 §4-§6)
import { SANDBOX_CSP } from "./headers.ts";
import * as repoUploadBlob from "../api/com/atproto/repo/uploadBlob.ts";
import * as repoListMissingBlobs from "../api/com/atproto/repo/listMissingBlobs.ts";
import * as syncGetBlob from "../api/com/atproto/sync/getBlob.ts";
import * as syncListBlobs from "../api/com/atproto/sync/listBlobs.ts";
import * as syncGetBlocks from "../api/com/atproto/sync/getBlocks.ts";
import * as syncListRepos from "../api/com/atproto/sync/listRepos.ts";
import * as syncGetRepoStatus from "../api/com/atproto/sync/getRepoStatus.ts";

// communities core (spec 04 §4); permissions are checked by the community gate inside the handlers
import * as communityCreate from "../api/net/openfederation/community/create.ts";
import * as communityGet from "../api/net/openfederation/community/get.ts";
import * as communityListAll from "../api/net/openfederation/community/listAll.ts";
import * as communityListMine from "../api/net/openfederation/community/listMine.ts";
import * as communityUpdate from "../api/net/openfederation/community/update.ts";
import * as communityDelete from "../api/net/openfederation/community/delete.ts";
// community moderation, export, ownership (spec 04 §4, §6, §7)
import * as communitySuspend from "../api/net/openfederation/community/suspend.ts";
import * as communityUnsuspend from "../api/net/openfederation/community/unsuspend.ts";
import * as communityTakedown from "../api/net/openfederation/community/takedown.ts";
import * as communityUntakedown from "../api/net/openfederation/community/untakedown.ts";
import * as communityExport from "../api/net/openfederation/community/export.ts";
import * as communityTransferOwnership from "../api/net/openfederation/community/transferOwnership.ts";
// community membership (spec 04 §5); the gate runs inside the handlers
import * as communityJoin from "../api/net/openfederation/community/join.ts";
import * as communityLeave from "../api/net/openfederation/community/leave.ts";
import * as communityListMembers from "../api/net/openfederation/community/listMembers.ts";
import * as communityListJoinRequests from "../api/net/openfederation/community/listJoinRequests.ts";
import * as communityResolveJoinRequest from "../api/net/openfederation/community/resolveJoinRequest.ts";
import * as communityRemoveMember from "../api/net/openfederation/community/removeMember.ts";
// community transfer to another server (spec 04 §8); tokens travel in JSON bodies
import * as communityTransfer from "../api/net/openfederation/community/transfer.ts";
import * as communityCancelTransfer from "../api/net/openfederation/community/cancelTransfer.ts";
import * as communityVerifyTransfer from "../api/net/openfederation/community/verifyTransfer.ts";
import * as communityGetTransferRepo from "../api/net/openfederation/community/getTransferRepo.ts";
import * as communityConfirmTransfer from "../api/net/openfederation/community/confirmTransfer.ts";
import * as communityPrepareImport from "../api/net/openfederation/community/prepareImport.ts";
import * as communityCompleteImport from "../api/net/openfederation/community/completeImport.ts";
// community roles and attestations (spec 05 §3, §8); the gate runs inside the services
import * as communityCreateRole from "../api/net/openfederation/community/createRole.ts";
import * as communityUpdateRole from "../api/net/openfederation/community/updateRole.ts";
import * as communityDeleteRole from "../api/net/openfederation/community/deleteRole.ts";
import * as communityListRoles from "../api/net/openfederation/community/listRoles.ts";
import * as communityUpdateMemberRole from "../api/net/openfederation/community/updateMemberRole.ts";
import * as communityIssueAttestation from "../api/net/openfederation/community/issueAttestation.ts";
import * as communityDeleteAttestation from "../api/net/openfederation/community/deleteAttestation.ts";
import * as communityListAttestations from "../api/net/openfederation/community/listAttestations.ts";
import * as communityVerifyAttestation from "../api/net/openfederation/community/verifyAttestation.ts";
// community governance, proposals, delegation (spec 05 §4-§7); remote members vote and delegate by service auth (04 §9)
import * as communitySetGovernanceModel from "../api/net/openfederation/community/setGovernanceModel.ts";
import * as communityCreateProposal from "../api/net/openfederation/community/createProposal.ts";
import * as communityAmendProposal from "../api/net/openfederation/community/amendProposal.ts";
import * as communityVoteOnProposal from "../api/net/openfederation/community/voteOnProposal.ts";
import * as communityListProposals from "../api/net/openfederation/community/listProposals.ts";
import * as communityGetProposal from "../api/net/openfederation/community/getProposal.ts";
import * as communitySetDelegation from "../api/net/openfederation/community/setDelegation.ts";
import * as communityRevokeDelegation from "../api/net/openfederation/community/revokeDelegation.ts";
import * as communityGetDelegation from "../api/net/openfederation/community/getDelegation.ts";
// partner API (spec 06 §7): keys for staff; register by X-Partner-Key, per-IP limited only with an Origin
import { partner as partnerAuth } from "./types.ts";
import * as partnerCreateKey from "../api/net/openfederation/partner/createKey.ts";
import * as partnerListKeys from "../api/net/openfederation/partner/listKeys.ts";
import * as partnerRevokeKey from "../api/net/openfederation/partner/revokeKey.ts";
import * as partnerRegister from "../api/net/openfederation/partner/register.ts";
// external keys and profiles (spec 06 §5, §6); public reads behind the discovery limiter (06 §11)
import * as identitySetExternalKey from "../api/net/openfederation/identity/setExternalKey.ts";
import * as identityListExternalKeys from "../api/net/openfederation/identity/listExternalKeys.ts";
import * as identityGetExternalKey from "../api/net/openfederation/identity/getExternalKey.ts";
import * as identityDeleteExternalKey from "../api/net/openfederation/identity/deleteExternalKey.ts";
import * as identityResolveByKey from "../api/net/openfederation/identity/resolveByKey.ts";
import * as accountUpdateProfile from "../api/net/openfederation/account/updateProfile.ts";
import * as accountGetProfile from "../api/net/openfederation/account/getProfile.ts";
// server configuration and repo import (spec 06 §9)
import * as serverGetConfig from "../api/net/openfederation/server/getConfig.ts";
import * as adminImportRepo from "../api/net/openfederation/admin/importRepo.ts";
import * as accountExport from "../api/net/openfederation/account/export.ts";
// export schedules and snapshots (spec 06 §10); getExportSnapshot also lets the community's owner in (checked in the service)
import * as adminCreateExportSchedule from "../api/net/openfederation/admin/createExportSchedule.ts";
import * as adminListExportSchedules from "../api/net/openfederation/admin/listExportSchedules.ts";
import * as adminDeleteExportSchedule from "../api/net/openfederation/admin/deleteExportSchedule.ts";
import * as adminListExportSnapshots from "../api/net/openfederation/admin/listExportSnapshots.ts";
import * as adminGetExportSnapshot from "../api/net/openfederation/admin/getExportSnapshot.ts";
// app passwords (10 §4) and private preferences (10 §3); full-session-only methods are listed in auth.ts
import * as createAppPassword from "../api/com/atproto/server/createAppPassword.ts";
import * as listAppPasswords from "../api/com/atproto/server/listAppPasswords.ts";
import * as revokeAppPassword from "../api/com/atproto/server/revokeAppPassword.ts";
import * as getPreferences from "../api/app/bsky/actor/getPreferences.ts";
import * as putPreferences from "../api/app/bsky/actor/putPreferences.ts";
export const ROUTES: RouteEntry[] = [
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
  { nsid: "com.atproto.admin.sendEmail", handler: adminSendEmail.handler, auth: staff("admin", "moderator") },
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
  // repo engine (spec 03 §4, §6)
  { nsid: "com.atproto.repo.createRecord", handler: repoCreateRecord.handler, auth: userAuth },
  { nsid: "com.atproto.repo.putRecord", handler: repoPutRecord.handler, auth: userAuth },
  { nsid: "com.atproto.repo.deleteRecord", handler: repoDeleteRecord.handler, auth: userAuth },
  { nsid: "com.atproto.repo.applyWrites", handler: repoApplyWrites.handler, auth: userAuth },
  { nsid: "com.atproto.repo.getRecord", handler: repoGetRecord.handler, auth: optionalAuth },
  { nsid: "com.atproto.repo.listRecords", handler: repoListRecords.handler, auth: optionalAuth },
  { nsid: "com.atproto.repo.describeRepo", handler: repoDescribeRepo.handler, auth: optionalAuth },
  { nsid: "com.atproto.sync.getRepo", handler: syncGetRepo.handler, auth: optionalAuth },
  { nsid: "com.atproto.sync.getLatestCommit", handler: syncGetLatestCommit.handler, auth: optionalAuth },
  { nsid: "com.atproto.sync.getRecord", handler: syncGetRecord.handler, auth: optionalAuth },
  // account lifecycle and migration (spec 03 §4, §8, 06 §3)
  { nsid: "com.atproto.server.createAccount", handler: createAccount.handler, auth: noneOrService, rateLimit: "registration" },
  { nsid: "com.atproto.server.deactivateAccount", handler: deactivateAccount.handler, auth: userAuth },
  { nsid: "com.atproto.server.activateAccount", handler: activateAccount.handler, auth: selfAny },
  { nsid: "com.atproto.server.checkAccountStatus", handler: checkAccountStatus.handler, auth: selfAny },
  { nsid: "com.atproto.server.getServiceAuth", handler: getServiceAuth.handler, auth: selfAny },
  { nsid: "com.atproto.repo.importRepo", handler: repoImportRepo.handler, auth: selfAny },
  // blobs and hosting reads (spec 03 §4-§6); uploadBlob streams its body to disk
  { nsid: "com.atproto.repo.uploadBlob", handler: repoUploadBlob.handler, auth: selfAny, body: { maxBytes: (c) => c.blobMaxBytes, tooLargeError: "BlobTooLarge", stream: true } },
  { nsid: "com.atproto.repo.listMissingBlobs", handler: repoListMissingBlobs.handler, auth: selfAny },
  { nsid: "com.atproto.sync.getBlob", handler: syncGetBlob.handler, auth: optionalAuth, csp: SANDBOX_CSP },
  { nsid: "com.atproto.sync.listBlobs", handler: syncListBlobs.handler, auth: optionalAuth },
  { nsid: "com.atproto.sync.getBlocks", handler: syncGetBlocks.handler, auth: optionalAuth },
  { nsid: "com.atproto.sync.listRepos", handler: syncListRepos.handler, auth: none },
  { nsid: "com.atproto.sync.getRepoStatus", handler: syncGetRepoStatus.handler, auth: none },
  // communities core (spec 04 §4). `…OrRemote` guards: also accounts on other servers by service auth (04 §9)
  { nsid: "net.openfederation.community.create", handler: communityCreate.handler, auth: userAuth, rateLimit: "create" },
  { nsid: "net.openfederation.community.get", handler: communityGet.handler, auth: optionalOrRemote },
  { nsid: "net.openfederation.community.listAll", handler: communityListAll.handler, auth: optionalAuth },
  { nsid: "net.openfederation.community.listMine", handler: communityListMine.handler, auth: userOrRemote },
  { nsid: "net.openfederation.community.update", handler: communityUpdate.handler, auth: userAuth },
  { nsid: "net.openfederation.community.delete", handler: communityDelete.handler, auth: userAuth },
  // community moderation, export, ownership (spec 04 §4, §6, §7)
  { nsid: "net.openfederation.community.suspend", handler: communitySuspend.handler, auth: staff("admin") },
  { nsid: "net.openfederation.community.unsuspend", handler: communityUnsuspend.handler, auth: staff("admin") },
  { nsid: "net.openfederation.community.takedown", handler: communityTakedown.handler, auth: staff("admin") },
  { nsid: "net.openfederation.community.untakedown", handler: communityUntakedown.handler, auth: staff("admin") },
  { nsid: "net.openfederation.community.export", handler: communityExport.handler, auth: userAuth },
  { nsid: "net.openfederation.community.transferOwnership", handler: communityTransferOwnership.handler, auth: userAuth, rateLimit: "auth" },
  // community membership (spec 04 §5)
  { nsid: "net.openfederation.community.join", handler: communityJoin.handler, auth: userOrRemote },
  { nsid: "net.openfederation.community.leave", handler: communityLeave.handler, auth: userOrRemote },
  { nsid: "net.openfederation.community.listMembers", handler: communityListMembers.handler, auth: optionalOrRemote },
  { nsid: "net.openfederation.community.listJoinRequests", handler: communityListJoinRequests.handler, auth: userAuth },
  { nsid: "net.openfederation.community.resolveJoinRequest", handler: communityResolveJoinRequest.handler, auth: userAuth },
  { nsid: "net.openfederation.community.removeMember", handler: communityRemoveMember.handler, auth: userAuth },
  // community transfer to another server (spec 04 §8)
  { nsid: "net.openfederation.community.transfer", handler: communityTransfer.handler, auth: userAuth, rateLimit: "auth" },
  { nsid: "net.openfederation.community.cancelTransfer", handler: communityCancelTransfer.handler, auth: userAuth },
  { nsid: "net.openfederation.community.verifyTransfer", handler: communityVerifyTransfer.handler, auth: none, rateLimit: "discovery" },
  { nsid: "net.openfederation.community.getTransferRepo", handler: communityGetTransferRepo.handler, auth: none },
  { nsid: "net.openfederation.community.confirmTransfer", handler: communityConfirmTransfer.handler, auth: none },
  { nsid: "net.openfederation.community.prepareImport", handler: communityPrepareImport.handler, auth: userAuth, rateLimit: "create" },
  { nsid: "net.openfederation.community.completeImport", handler: communityCompleteImport.handler, auth: userAuth },
  // community roles and attestations (spec 05 §3, §8): remote-capable (04 §9)
  { nsid: "net.openfederation.community.createRole", handler: communityCreateRole.handler, auth: userOrRemote },
  { nsid: "net.openfederation.community.updateRole", handler: communityUpdateRole.handler, auth: userOrRemote },
  { nsid: "net.openfederation.community.deleteRole", handler: communityDeleteRole.handler, auth: userOrRemote },
  { nsid: "net.openfederation.community.listRoles", handler: communityListRoles.handler, auth: optionalOrRemote },
  { nsid: "net.openfederation.community.updateMemberRole", handler: communityUpdateMemberRole.handler, auth: userOrRemote },
  { nsid: "net.openfederation.community.issueAttestation", handler: communityIssueAttestation.handler, auth: userOrRemote },
  { nsid: "net.openfederation.community.deleteAttestation", handler: communityDeleteAttestation.handler, auth: userOrRemote },
  { nsid: "net.openfederation.community.listAttestations", handler: communityListAttestations.handler, auth: optionalOrRemote },
  { nsid: "net.openfederation.community.verifyAttestation", handler: communityVerifyAttestation.handler, auth: optionalOrRemote, rateLimit: "discovery" },
  // community governance, proposals, delegation (spec 05 §4-§7)
  { nsid: "net.openfederation.community.setGovernanceModel", handler: communitySetGovernanceModel.handler, auth: userOrRemote },
  { nsid: "net.openfederation.community.createProposal", handler: communityCreateProposal.handler, auth: userOrRemote },
  { nsid: "net.openfederation.community.amendProposal", handler: communityAmendProposal.handler, auth: userOrRemote },
  { nsid: "net.openfederation.community.voteOnProposal", handler: communityVoteOnProposal.handler, auth: userOrRemote },
  { nsid: "net.openfederation.community.listProposals", handler: communityListProposals.handler, auth: optionalOrRemote },
  { nsid: "net.openfederation.community.getProposal", handler: communityGetProposal.handler, auth: optionalOrRemote },
  { nsid: "net.openfederation.community.setDelegation", handler: communitySetDelegation.handler, auth: userOrRemote },
  { nsid: "net.openfederation.community.revokeDelegation", handler: communityRevokeDelegation.handler, auth: userOrRemote },
  { nsid: "net.openfederation.community.getDelegation", handler: communityGetDelegation.handler, auth: optionalOrRemote },
  // partner API (spec 06 §7); the per-key hourly limit is enforced in the service, in the database
  { nsid: "net.openfederation.partner.createKey", handler: partnerCreateKey.handler, auth: staff("admin", "partner-manager") },
  { nsid: "net.openfederation.partner.listKeys", handler: partnerListKeys.handler, auth: staff("admin", "partner-manager", "auditor") },
  { nsid: "net.openfederation.partner.revokeKey", handler: partnerRevokeKey.handler, auth: staff("admin", "partner-manager") },
  { nsid: "net.openfederation.partner.register", handler: partnerRegister.handler, auth: partnerAuth, rateLimit: "registration", rateLimitBrowserOnly: true },
  // external keys and profiles (spec 06 §5, §6); public reads behind the discovery limiter (06 §11)
  { nsid: "net.openfederation.identity.setExternalKey", handler: identitySetExternalKey.handler, auth: userAuth },
  { nsid: "net.openfederation.identity.deleteExternalKey", handler: identityDeleteExternalKey.handler, auth: userAuth },
  { nsid: "net.openfederation.identity.listExternalKeys", handler: identityListExternalKeys.handler, auth: none, rateLimit: "discovery" },
  { nsid: "net.openfederation.identity.getExternalKey", handler: identityGetExternalKey.handler, auth: none, rateLimit: "discovery" },
  { nsid: "net.openfederation.identity.resolveByKey", handler: identityResolveByKey.handler, auth: none, rateLimit: "discovery" },
  { nsid: "net.openfederation.account.updateProfile", handler: accountUpdateProfile.handler, auth: userAuth },
  { nsid: "net.openfederation.account.getProfile", handler: accountGetProfile.handler, auth: optionalAuth, rateLimit: "discovery" },
  // server configuration and repo import (spec 06 §9)
  { nsid: "net.openfederation.server.getConfig", handler: serverGetConfig.handler, auth: staff("admin", "auditor") },
  { nsid: "net.openfederation.admin.importRepo", handler: adminImportRepo.handler, auth: staff("admin"), body: { maxBytes: (c) => c.importMaxBytes } },
  // account export (06 §4): self-any (the 01 §9.3 allowlists admit it), or staff with a full session (checked in the service)
  { nsid: "net.openfederation.account.export", handler: accountExport.handler, auth: selfAny },
  // export schedules and snapshots (spec 06 §10)
  { nsid: "net.openfederation.admin.createExportSchedule", handler: adminCreateExportSchedule.handler, auth: staff("admin") },
  { nsid: "net.openfederation.admin.listExportSchedules", handler: adminListExportSchedules.handler, auth: staff("admin") },
  { nsid: "net.openfederation.admin.deleteExportSchedule", handler: adminDeleteExportSchedule.handler, auth: staff("admin") },
  { nsid: "net.openfederation.admin.listExportSnapshots", handler: adminListExportSnapshots.handler, auth: staff("admin") },
  { nsid: "net.openfederation.admin.getExportSnapshot", handler: adminGetExportSnapshot.handler, auth: userAuth },
  // app passwords (10 §4): approved accounts; createAppPassword refuses app-password sessions (auth.ts FULL_SESSION_ONLY)
  { nsid: "com.atproto.server.createAppPassword", handler: createAppPassword.handler, auth: userAuth },
  { nsid: "com.atproto.server.listAppPasswords", handler: listAppPasswords.handler, auth: userAuth },
  { nsid: "com.atproto.server.revokeAppPassword", handler: revokeAppPassword.handler, auth: userAuth },
  // preferences (10 §3): self-any (approved, deactivated; get also restricted, per the 01 §9.3 allowlists), served locally
  { nsid: "app.bsky.actor.getPreferences", handler: getPreferences.handler, auth: selfAny },
  { nsid: "app.bsky.actor.putPreferences", handler: putPreferences.handler, auth: selfAny, precheck: putPreferences.precheck },
];
