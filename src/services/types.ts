// The Services interface: every domain service a PDS runs with, as handlers see them (ctx.services). Built in ../services.ts.
import type { AdminStatusService } from "../account/admin-status.ts";
import type { AccountDeletionService } from "../account/deletion.ts";
import type { AdminAccountService } from "../account/admin-accounts.ts";
import type { AccountModerationService } from "../account/moderation.ts";
import type { SubjectStatusService } from "../account/subject-status.ts";
import type { RepoAccess } from "../repo/access.ts";
import type { GovernanceService } from "../community/governance.ts";
import type { RateLimitStore } from "../ratelimit/store.ts";
import type { Clock } from "../util/clock.ts";
import type { KeyVault } from "../identity/keys.ts";
import type { PlcClient } from "../identity/plc-client.ts";
import type { IdentityService } from "../identity/service.ts";
import type { TombstoneOutbox } from "../identity/tombstone-outbox.ts";
import type { RepoService } from "../repo/index.ts";
import type { Sequencer } from "../sequencer/index.ts";
import type { AccountServices } from "../account/index.ts";
import type { JobScheduler } from "../jobs/scheduler.ts";
import type { DidWebVerifier } from "../community/did-web.ts";
import type { ServiceAuthVerifier } from "../identity/service-auth.ts";
import type { LifecycleService } from "../account/lifecycle/index.ts";
import type { FirehoseService } from "../firehose/index.ts";
import type { CrawlerNotifier } from "../crawler/index.ts";
import type { HandleResolver } from "../identity/handle-resolver.ts";
import type { OutboundFetchPolicy } from "../identity/fetch-policy.ts";
import type { BlobService } from "../blob/index.ts";
import type { CommunityService } from "../community/index.ts";
import type { RemoteMembers } from "../community/remote.ts";
import type { MembershipService } from "../community/membership.ts";
import type { RoleService } from "../community/role-service.ts";
import type { AttestationService } from "../community/attestations.ts";
import type { AttestationVerifier } from "../community/attestation-verify.ts";
import type { CommunityModerationService } from "../community/moderation.ts";
import type { CommunityOwnershipService } from "../community/ownership.ts";
import type { CommunityExportService } from "../community/export.ts";
import type { CommunityTransferService } from "../community/transfer.ts";
import type { CommunityImportService } from "../community/import.ts";
import type { HandleChangeService } from "../account/handle-change.ts";
import type { PartnerService } from "../partner/service.ts";
import type { ExternalKeyService } from "../account/external-keys.ts";
import type { ProfileService } from "../account/profile.ts";
import type { ServerConfigService } from "../admin/server-config.ts";
import type { RepoRestoreService } from "../admin/repo-restore.ts";
import type { HolderExports } from "../repo/holder-exports.ts";
import type { AccountExportService } from "../account/export.ts";
import type { ExportSnapshots } from "../community/snapshots/index.ts";
import type { Mailer } from "../mail/mailer.ts";
import type { EmailFlowService } from "../account/email-flows.ts";
import type { SelfDeletionService } from "../account/self-delete.ts";
import type { PlcSignatureService } from "../mail/plc-signature.ts";
import type { StaffMessageService } from "../mail/staff-message.ts";
import type { ProxyService } from "../proxy/index.ts";
import type { OAuthServer } from "../oauth/index.ts";

/**
 * Each domain adds its service here (one field, one construction line below). Services are
 * framework-free classes: handlers in src/api/ call them; they never import Elysia.
 */
export interface Services {
  /** the server's clock (wall time; in --dev, moved by OFPDS_DEV_CLOCK_FILE): token expiry and every time-based rule */
  clock: Clock;
  /**
   * Fixed-window counters (rate limits, daily quotas) under a name prefix: in memory for one process, in the database
   * in cluster mode, where every process must count the same hits (src/db/shared-state.ts).
   */
  counters(prefix: string): RateLimitStore;
  /** background jobs; domains add theirs in buildServices, the server starts them after listening */
  jobs: JobScheduler;
  keys: KeyVault;
  plc: PlcClient;
  identity: IdentityService;
  /** the durable PLC tombstone outbox and its job (02 §4): rejection, account and community deletion queue here */
  tombstones: TombstoneOutbox;
  sequencer: Sequencer;
  /** who may read or write which repo through com.atproto.repo/sync (community rules plugged in) */
  repoAccess: RepoAccess;
  /** admin status transitions of accounts (disable/enable) */
  adminStatus: AdminStatusService;
  /** com.atproto.admin.deleteAccount (T14, 06 §1): one transaction, the tombstone through the outbox */
  accountDeletion: AccountDeletionService;
  /** account suspend/unsuspend/takedown/untakedown (T8-T11) and admin.update/getSubjectStatus over accounts and communities (06 §1) */
  accountModeration: AccountModerationService;
  subjectStatus: SubjectStatusService;
  repo: RepoService;
  // accounts domain: accounts, sessions, invites, login, audit
  accounts: AccountServices["accounts"];
  sessions: AccountServices["sessions"];
  invites: AccountServices["invites"];
  login: AccountServices["login"];
  audit: AccountServices["audit"];
  /** app passwords (10 §4) and private app.bsky preferences (10 §3) */
  appPasswords: AccountServices["appPasswords"];
  preferences: AccountServices["preferences"];
  // account lifecycle (03 §4/§8, 06 §3) and incoming inter-service JWTs (02 §9)
  serviceAuth: ServiceAuthVerifier;
  lifecycle: LifecycleService;
  // handles (02 §6-7): handle → DID resolution and the outbound fetch policy (SSRF guard)
  handles: HandleResolver;
  fetchPolicy: OutboundFetchPolicy;
  /** did:web communities: document by Host, identity verification (02 §9–§10) */
  didWeb: DidWebVerifier;
  /** subscribeRepos sockets and the pruning job (spec 03 §7) */
  firehose: FirehoseService;
  /** requestCrawl to CRAWLERS; `start()` is called once the server listens */
  crawlers: CrawlerNotifier;
  /** blob uploads, reads, listings and the hourly GC job (spec 03 §5) */
  blobs: BlobService;
  /** communities (spec 04): lifecycle, the managed writer (`communities.writer`); the gate is src/community/gate.ts */
  communities: CommunityService;
  /** remote members (04 §9): service-auth verification, a remote actor's handle and liveness */
  remoteMembers: RemoteMembers;
  /** join/leave/removeMember/resolveJoinRequest and the member lists (04 §5) */
  membership: MembershipService;
  /** community roles (05 §3): create/update/delete/list and updateMemberRole */
  roles: RoleService;
  /** attestations (05 §8): issue/delete/list, and verification (local, or remote by signature and MST proof) */
  attestations: AttestationService;
  attestationVerifier: AttestationVerifier;
  /** service proxying to an AppView, chat and report service (10 §1): src/xrpc/proxy.ts routes, this forwards */
  proxy: ProxyService;
  /** community governance (05 §4-§7): setGovernanceModel, proposals, delegation; the expiry sweep job */
  governance: GovernanceService;
  /** staff suspend/takedown (04 §6), transferOwnership (04 §7), community.export (04 §4) */
  communityModeration: CommunityModerationService;
  communityOwnership: CommunityOwnershipService;
  communityExports: CommunityExportService;
  /** community transfer to another server (04 §8): source side (transfer…confirmTransfer) and destination side (prepare/completeImport) */
  communityTransfers: CommunityTransferService;
  communityImports: CommunityImportService;
  /** com.atproto.identity.updateHandle (02 §11): PLC first, then the local handle, #identity and audit */
  handleChanges: HandleChangeService;
  /** com.atproto.admin.getAccountInfo(s) / updateAccount{Handle,Email,Password} and admin.createAccount (10 §6) */
  adminAccounts: AdminAccountService;
  /** partner API keys, the X-Partner-Key check and partner.register (06 §7) */
  partner: PartnerService;
  /** external identity keys (06 §6) and profiles (06 §5) in the account's own repo */
  externalKeys: ExternalKeyService;
  profiles: ProfileService;
  /** net.openfederation.server.getConfig: the safe configuration and stats (06 §9) */
  serverConfig: ServerConfigService;
  /** net.openfederation.admin.importRepo: restore a hosted repo, or attach a CAR to a prepared community import (06 §9) */
  repoRestore: RepoRestoreService;
  /** export schedules and snapshots (06 §10): `exportSnapshots.schedules` for the admin methods, `.scheduler` for the job */
  exportSnapshots: ExportSnapshots;
  /** holder exports of full repo CARs (06 §2: the account itself, a community's owner) and account.export (06 §4) */
  holderExports: HolderExports;
  accountExports: AccountExportService;
  /** the mailer (10 §5.1) and the token-mail flows (10 §5.3): email confirmation/change, password reset, self-deletion, PLC signing */
  mailer: Mailer;
  emailFlows: EmailFlowService;
  selfDeletion: SelfDeletionService;
  plcSignatures: PlcSignatureService;
  /** com.atproto.admin.sendEmail (10 §6) */
  staffMessages: StaffMessageService;
  /** the OAuth authorization server (11): keys, DPoP, clients, PAR requests, tokens; routes in src/xrpc/oauth-routes.ts */
  oauth: OAuthServer;
  // services: added by each domain
}
