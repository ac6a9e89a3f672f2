// Every net.openfederation.* lexicon, imported statically so `bun build --compile` embeds them.
// Add one import line per JSON file under lexicons/net/openfederation/ (a test checks none is missing).
import type { LexiconDoc } from "@atproto/lexicon";
import accountApprove from "./net/openfederation/account/approve.json";
import accountChangePassword from "./net/openfederation/account/changePassword.json";
import accountListOAuthSessions from "./net/openfederation/account/listOAuthSessions.json";
import accountRevokeOAuthSession from "./net/openfederation/account/revokeOAuthSession.json";
import accountDisable from "./net/openfederation/account/disable.json";
import accountEnable from "./net/openfederation/account/enable.json";
import accountList from "./net/openfederation/account/list.json";
import accountListPending from "./net/openfederation/account/listPending.json";
import accountRegister from "./net/openfederation/account/register.json";
import accountReject from "./net/openfederation/account/reject.json";
import accountUpdateRoles from "./net/openfederation/account/updateRoles.json";
import auditList from "./net/openfederation/audit/list.json";
import inviteCreate from "./net/openfederation/invite/create.json";
import inviteList from "./net/openfederation/invite/list.json";
import inviteRevoke from "./net/openfederation/invite/revoke.json";
// communities core (spec 04 §2, §4)
import communityCreate from "./net/openfederation/community/create.json";
import communityDelete from "./net/openfederation/community/delete.json";
import communityDelegation from "./net/openfederation/community/delegation.json";
import communityGet from "./net/openfederation/community/get.json";
import communityListAll from "./net/openfederation/community/listAll.json";
import communityListMine from "./net/openfederation/community/listMine.json";
import communityMember from "./net/openfederation/community/member.json";
import communityProfile from "./net/openfederation/community/profile.json";
import communityRole from "./net/openfederation/community/role.json";
import communitySettings from "./net/openfederation/community/settings.json";
import communityUpdate from "./net/openfederation/community/update.json";
// community moderation, export, ownership (spec 04 §4, §6, §7)
import communityExport from "./net/openfederation/community/export.json";
import communitySuspend from "./net/openfederation/community/suspend.json";
import communityTakedown from "./net/openfederation/community/takedown.json";
import communityTransferOwnership from "./net/openfederation/community/transferOwnership.json";
import communityUnsuspend from "./net/openfederation/community/unsuspend.json";
import communityUntakedown from "./net/openfederation/community/untakedown.json";
// community membership (spec 04 §5)
import communityJoin from "./net/openfederation/community/join.json";
import communityLeave from "./net/openfederation/community/leave.json";
import communityListJoinRequests from "./net/openfederation/community/listJoinRequests.json";
import communityListMembers from "./net/openfederation/community/listMembers.json";
import communityRemoveMember from "./net/openfederation/community/removeMember.json";
import communityResolveJoinRequest from "./net/openfederation/community/resolveJoinRequest.json";
// community transfer to another server (spec 04 §8)
import communityTransfer from "./net/openfederation/community/transfer.json";
import communityCancelTransfer from "./net/openfederation/community/cancelTransfer.json";
import communityVerifyTransfer from "./net/openfederation/community/verifyTransfer.json";
import communityGetTransferRepo from "./net/openfederation/community/getTransferRepo.json";
import communityConfirmTransfer from "./net/openfederation/community/confirmTransfer.json";
import communityPrepareImport from "./net/openfederation/community/prepareImport.json";
import communityCompleteImport from "./net/openfederation/community/completeImport.json";
// community roles and attestations (spec 05 §3, §8)
import communityCreateRole from "./net/openfederation/community/createRole.json";
import communityUpdateRole from "./net/openfederation/community/updateRole.json";
import communityDeleteRole from "./net/openfederation/community/deleteRole.json";
import communityListRoles from "./net/openfederation/community/listRoles.json";
import communityUpdateMemberRole from "./net/openfederation/community/updateMemberRole.json";
import communityAttestation from "./net/openfederation/community/attestation.json";
import communityIssueAttestation from "./net/openfederation/community/issueAttestation.json";
import communityDeleteAttestation from "./net/openfederation/community/deleteAttestation.json";
import communityListAttestations from "./net/openfederation/community/listAttestations.json";
import communityVerifyAttestation from "./net/openfederation/community/verifyAttestation.json";
// community governance, proposals, delegation (spec 05 §4-§7)
import communitySetGovernanceModel from "./net/openfederation/community/setGovernanceModel.json";
import communityCreateProposal from "./net/openfederation/community/createProposal.json";
import communityAmendProposal from "./net/openfederation/community/amendProposal.json";
import communityVoteOnProposal from "./net/openfederation/community/voteOnProposal.json";
import communityListProposals from "./net/openfederation/community/listProposals.json";
import communityGetProposal from "./net/openfederation/community/getProposal.json";
import communityProposal from "./net/openfederation/community/proposal.json";
import communitySetDelegation from "./net/openfederation/community/setDelegation.json";
import communityRevokeDelegation from "./net/openfederation/community/revokeDelegation.json";
import communityGetDelegation from "./net/openfederation/community/getDelegation.json";
// partner API (spec 06 §7)
import partnerCreateKey from "./net/openfederation/partner/createKey.json";
import partnerListKeys from "./net/openfederation/partner/listKeys.json";
import partnerRegister from "./net/openfederation/partner/register.json";
import partnerRevokeKey from "./net/openfederation/partner/revokeKey.json";

// external keys and profiles (spec 06 §5, §6)
import identityExternalKey from "./net/openfederation/identity/externalKey.json";
import identitySetExternalKey from "./net/openfederation/identity/setExternalKey.json";
import identityListExternalKeys from "./net/openfederation/identity/listExternalKeys.json";
import identityGetExternalKey from "./net/openfederation/identity/getExternalKey.json";
import identityDeleteExternalKey from "./net/openfederation/identity/deleteExternalKey.json";
import identityResolveByKey from "./net/openfederation/identity/resolveByKey.json";
import accountUpdateProfile from "./net/openfederation/account/updateProfile.json";
import accountGetProfile from "./net/openfederation/account/getProfile.json";
// server configuration and repo import (spec 06 §9)
import serverGetConfig from "./net/openfederation/server/getConfig.json";
import adminImportRepo from "./net/openfederation/admin/importRepo.json";
// export schedules and snapshots (spec 06 §10)
import adminCreateExportSchedule from "./net/openfederation/admin/createExportSchedule.json";
import adminListExportSchedules from "./net/openfederation/admin/listExportSchedules.json";
import adminDeleteExportSchedule from "./net/openfederation/admin/deleteExportSchedule.json";
import adminListExportSnapshots from "./net/openfederation/admin/listExportSnapshots.json";
import adminGetExportSnapshot from "./net/openfederation/admin/getExportSnapshot.json";
import accountExport from "./net/openfederation/account/export.json";
import adminCreateAccount from "./net/openfederation/admin/createAccount.json";
export const ofpdsLexicons: LexiconDoc[] = [
  // accounts, invites, audit
  accountApprove as LexiconDoc,
  accountChangePassword as LexiconDoc,
  accountListOAuthSessions as LexiconDoc,
  accountRevokeOAuthSession as LexiconDoc,
  accountDisable as LexiconDoc,
  accountEnable as LexiconDoc,
  accountList as LexiconDoc,
  accountListPending as LexiconDoc,
  accountRegister as LexiconDoc,
  accountReject as LexiconDoc,
  accountUpdateRoles as LexiconDoc,
  auditList as LexiconDoc,
  inviteCreate as LexiconDoc,
  inviteList as LexiconDoc,
  inviteRevoke as LexiconDoc,
  // communities core (spec 04 §2, §4)
  communityCreate as LexiconDoc,
  communityDelete as LexiconDoc,
  communityDelegation as LexiconDoc,
  communityGet as LexiconDoc,
  communityListAll as LexiconDoc,
  communityListMine as LexiconDoc,
  communityMember as LexiconDoc,
  communityProfile as LexiconDoc,
  communityRole as LexiconDoc,
  communitySettings as LexiconDoc,
  communityUpdate as LexiconDoc,
  // community moderation, export, ownership (spec 04 §4, §6, §7)
  communityExport as LexiconDoc,
  communitySuspend as LexiconDoc,
  communityTakedown as LexiconDoc,
  communityTransferOwnership as LexiconDoc,
  communityUnsuspend as LexiconDoc,
  communityUntakedown as LexiconDoc,
  // community membership (spec 04 §5)
  communityJoin as LexiconDoc,
  communityLeave as LexiconDoc,
  communityListJoinRequests as LexiconDoc,
  communityListMembers as LexiconDoc,
  communityRemoveMember as LexiconDoc,
  communityResolveJoinRequest as LexiconDoc,
  // community transfer to another server (spec 04 §8)
  communityTransfer as LexiconDoc,
  communityCancelTransfer as LexiconDoc,
  communityVerifyTransfer as LexiconDoc,
  communityGetTransferRepo as LexiconDoc,
  communityConfirmTransfer as LexiconDoc,
  communityPrepareImport as LexiconDoc,
  communityCompleteImport as LexiconDoc,
  // community roles and attestations (spec 05 §3, §8)
  communityCreateRole as LexiconDoc,
  communityUpdateRole as LexiconDoc,
  communityDeleteRole as LexiconDoc,
  communityListRoles as LexiconDoc,
  communityUpdateMemberRole as LexiconDoc,
  communityAttestation as LexiconDoc,
  communityIssueAttestation as LexiconDoc,
  communityDeleteAttestation as LexiconDoc,
  communityListAttestations as LexiconDoc,
  communityVerifyAttestation as LexiconDoc,
  // community governance, proposals, delegation (spec 05 §4-§7)
  communitySetGovernanceModel as LexiconDoc,
  communityCreateProposal as LexiconDoc,
  communityAmendProposal as LexiconDoc,
  communityVoteOnProposal as LexiconDoc,
  communityListProposals as LexiconDoc,
  communityGetProposal as LexiconDoc,
  communityProposal as LexiconDoc,
  communitySetDelegation as LexiconDoc,
  communityRevokeDelegation as LexiconDoc,
  communityGetDelegation as LexiconDoc,
  // partner API (spec 06 §7)
  partnerCreateKey as LexiconDoc,
  partnerListKeys as LexiconDoc,
  partnerRegister as LexiconDoc,
  partnerRevokeKey as LexiconDoc,
  // external keys and profiles (spec 06 §5, §6)
  identityExternalKey as LexiconDoc,
  identitySetExternalKey as LexiconDoc,
  identityListExternalKeys as LexiconDoc,
  identityGetExternalKey as LexiconDoc,
  identityDeleteExternalKey as LexiconDoc,
  identityResolveByKey as LexiconDoc,
  accountUpdateProfile as LexiconDoc,
  accountGetProfile as LexiconDoc,
  // server configuration and repo import (spec 06 §9)
  serverGetConfig as LexiconDoc,
  adminImportRepo as LexiconDoc,
  // export schedules and snapshots (spec 06 §10)
  adminCreateExportSchedule as LexiconDoc,
  adminListExportSchedules as LexiconDoc,
  adminDeleteExportSchedule as LexiconDoc,
  adminListExportSnapshots as LexiconDoc,
  adminGetExportSnapshot as LexiconDoc,
  accountExport as LexiconDoc,
  adminCreateAccount as LexiconDoc,
];
