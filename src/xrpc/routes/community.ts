// Route table part: communities: core, membership, moderation, transfer, roles, attestations, governance (specs 04, 05).
// One line per method (handler, auth guard, rate-limit bucket) so auth and limits read on one screen; src/xrpc/routes.ts joins the parts.
import type { RouteEntry } from "../types.ts";
import { none, staff, optional as optionalAuth, optionalOrRemote, user as userAuth, userOrRemote } from "../types.ts";
import * as communityCreate from "../../api/net/openfederation/community/create.ts";
import * as communityGet from "../../api/net/openfederation/community/get.ts";
import * as communityListAll from "../../api/net/openfederation/community/listAll.ts";
import * as communityListMine from "../../api/net/openfederation/community/listMine.ts";
import * as communityUpdate from "../../api/net/openfederation/community/update.ts";
import * as communityDelete from "../../api/net/openfederation/community/delete.ts";
import * as communitySuspend from "../../api/net/openfederation/community/suspend.ts";
import * as communityUnsuspend from "../../api/net/openfederation/community/unsuspend.ts";
import * as communityTakedown from "../../api/net/openfederation/community/takedown.ts";
import * as communityUntakedown from "../../api/net/openfederation/community/untakedown.ts";
import * as communityExport from "../../api/net/openfederation/community/export.ts";
import * as communityTransferOwnership from "../../api/net/openfederation/community/transferOwnership.ts";
import * as communityJoin from "../../api/net/openfederation/community/join.ts";
import * as communityLeave from "../../api/net/openfederation/community/leave.ts";
import * as communityListMembers from "../../api/net/openfederation/community/listMembers.ts";
import * as communityListJoinRequests from "../../api/net/openfederation/community/listJoinRequests.ts";
import * as communityResolveJoinRequest from "../../api/net/openfederation/community/resolveJoinRequest.ts";
import * as communityRemoveMember from "../../api/net/openfederation/community/removeMember.ts";
import * as communityTransfer from "../../api/net/openfederation/community/transfer.ts";
import * as communityCancelTransfer from "../../api/net/openfederation/community/cancelTransfer.ts";
import * as communityVerifyTransfer from "../../api/net/openfederation/community/verifyTransfer.ts";
import * as communityGetTransferRepo from "../../api/net/openfederation/community/getTransferRepo.ts";
import * as communityConfirmTransfer from "../../api/net/openfederation/community/confirmTransfer.ts";
import * as communityPrepareImport from "../../api/net/openfederation/community/prepareImport.ts";
import * as communityCompleteImport from "../../api/net/openfederation/community/completeImport.ts";
import * as communityCreateRole from "../../api/net/openfederation/community/createRole.ts";
import * as communityUpdateRole from "../../api/net/openfederation/community/updateRole.ts";
import * as communityDeleteRole from "../../api/net/openfederation/community/deleteRole.ts";
import * as communityListRoles from "../../api/net/openfederation/community/listRoles.ts";
import * as communityUpdateMemberRole from "../../api/net/openfederation/community/updateMemberRole.ts";
import * as communityIssueAttestation from "../../api/net/openfederation/community/issueAttestation.ts";
import * as communityDeleteAttestation from "../../api/net/openfederation/community/deleteAttestation.ts";
import * as communityListAttestations from "../../api/net/openfederation/community/listAttestations.ts";
import * as communityVerifyAttestation from "../../api/net/openfederation/community/verifyAttestation.ts";
import * as communitySetGovernanceModel from "../../api/net/openfederation/community/setGovernanceModel.ts";
import * as communityCreateProposal from "../../api/net/openfederation/community/createProposal.ts";
import * as communityAmendProposal from "../../api/net/openfederation/community/amendProposal.ts";
import * as communityVoteOnProposal from "../../api/net/openfederation/community/voteOnProposal.ts";
import * as communityListProposals from "../../api/net/openfederation/community/listProposals.ts";
import * as communityGetProposal from "../../api/net/openfederation/community/getProposal.ts";
import * as communitySetDelegation from "../../api/net/openfederation/community/setDelegation.ts";
import * as communityRevokeDelegation from "../../api/net/openfederation/community/revokeDelegation.ts";
import * as communityGetDelegation from "../../api/net/openfederation/community/getDelegation.ts";

export const COMMUNITY_ROUTES: RouteEntry[] = [
  // nsid                                   handler                   auth   rateLimit
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
];
