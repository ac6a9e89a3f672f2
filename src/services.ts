// Builds the domain services a PDS runs with, in dependency order, from the config, secrets and database.
import { AdminStatusService } from "./account/admin-status.ts";
import { AccountDeletionService } from "./account/deletion.ts";
import { CommunityAccountRemoval } from "./community/account-removal.ts";
import { AdminAccountService } from "./account/admin-accounts.ts";
import { AccountModerationService } from "./account/moderation.ts";
import { SubjectStatusService } from "./account/subject-status.ts";
import { findCommunity } from "./community/gate.ts";
import { communityHiddenFromBackfill, communitySilencedInTx } from "./community/firehose-policy.ts";
import { RepoAccess } from "./repo/access.ts";
import { accountStatuses } from "./account/repo-lookup.ts";
import { CommunityRepoPolicy } from "./community/repo-policy.ts";
import { CommunityGovernanceGuard } from "./community/governance-guard.ts";
import { GovernanceService } from "./community/governance.ts";
import { dropProposalsInTx } from "./community/proposal-store.ts";
import { createLexiconRegistry } from "./lexicon/registry.ts";
import type { Config, Secrets } from "./config/types.ts";
import type { Database } from "./db/database.ts";
import type { Logger } from "./util/logger.ts";
import { serverClock, type Clock } from "./util/clock.ts";
import { KeyVault } from "./identity/keys.ts";
import { PlcClient } from "./identity/plc-client.ts";
import { IdentityService } from "./identity/service.ts";
import { TombstoneOutbox } from "./identity/tombstone-outbox.ts";
import { AuditLog } from "./audit/audit-log.ts";
import { RepoService } from "./repo/index.ts";
import { Sequencer } from "./sequencer/index.ts";
import { buildAccountServices, startAccounts, type AccountServices } from "./account/index.ts";
import { appPasswordPepper } from "./account/app-password-pepper.ts";
import { JobScheduler } from "./jobs/scheduler.ts";
import { DidWebVerifier, VERIFY_INTERVAL_MS } from "./community/did-web.ts";
import { ServiceAuthVerifier } from "./identity/service-auth.ts";
import { LifecycleService } from "./account/lifecycle/index.ts";
import { FirehoseService } from "./firehose/index.ts";
import { CrawlerNotifier } from "./crawler/index.ts";
import { crawlerNotifiedNote } from "./operator/server-notes.ts";
import { buildHandleResolver, type HandleResolver } from "./identity/handle-resolver.ts";
import type { OutboundFetchPolicy } from "./identity/fetch-policy.ts";
import { isResolvableStatus } from "./account/handles.ts";
import { BlobService } from "./blob/index.ts";
import { CommunityService } from "./community/index.ts";
import { RemoteMembers } from "./community/remote.ts";
import { MembershipService } from "./community/membership.ts";
import { RoleService } from "./community/role-service.ts";
import { AttestationService } from "./community/attestations.ts";
import { AttestationVerifier } from "./community/attestation-verify.ts";
import { dropAttestationsInTx } from "./community/attestation-store.ts";
import { CommunityModerationService } from "./community/moderation.ts";
import { CommunityOwnershipService } from "./community/ownership.ts";
import { CommunityExportService } from "./community/export.ts";
import { CommunityTransferService } from "./community/transfer.ts";
import { CommunityImportService } from "./community/import.ts";
import { HandleChangeService } from "./account/handle-change.ts";
import { PartnerService } from "./partner/service.ts";
import { ExternalKeyService } from "./account/external-keys.ts";
import { ProfileService } from "./account/profile.ts";
import { ServerConfigService } from "./admin/server-config.ts";
import { RepoRestoreService } from "./admin/repo-restore.ts";
import { HolderExports } from "./repo/holder-exports.ts";
import { AccountExportService, accountHolderExport } from "./account/export.ts";
import { communityOwnerExport } from "./community/export.ts";
import { membershipsOf } from "./community/memberships-of.ts";
import { NameNamespace } from "./names/namespace.ts";
import { accountNameHolder } from "./account/name-claim.ts";
import { communityNameHolder } from "./community/name-claim.ts";
import { buildExportSnapshots, type ExportSnapshots } from "./community/snapshots/index.ts";
import { buildMailer, type Mailer } from "./mail/mailer.ts";
import { EmailTokens } from "./mail/tokens.ts";
import { TokenMailer } from "./mail/token-mail.ts";
import { EmailFlowService } from "./account/email-flows.ts";
import { SelfDeletionService } from "./account/self-delete.ts";
import { Lockout } from "./account/lockout.ts";
import { PlcSignatureService } from "./mail/plc-signature.ts";
import { StaffMessageService } from "./mail/staff-message.ts";
import { buildProxyService, type ProxyService } from "./proxy/index.ts";
import { buildOAuthServer, type OAuthServer } from "./oauth/index.ts";

/**
 * Each domain adds its service here (one field, one construction line below). Services are
 * framework-free classes: handlers in src/api/ call them; they never import Elysia.
 */
export interface Services {
  /** the server's clock (wall time; in --dev, moved by OFPDS_DEV_CLOCK_FILE): token expiry and every time-based rule */
  clock: Clock;
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

export interface ServiceDeps {
  config: Config;
  secrets: Secrets;
  db: Database;
  logger: Logger;
}

export async function buildServices(deps: ServiceDeps): Promise<Services> {
  const { config, secrets, db, logger } = deps;
  // one clock for the time-based rules (session grace, invite expiry, export grace); a test clock only in --dev
  const now = serverClock(config);
  // one name namespace for accounts and communities (01 §4): every creator and handle change checks through it
  const names = new NameNamespace([accountNameHolder, communityNameHolder]);
  const jobs = new JobScheduler(logger.child({ component: "jobs" }));
  const keys = await KeyVault.open(db, secrets.keyEncryptionSecret, { serviceDid: config.serviceDid });
  // --dev never contacts a public directory (ISSUE8 §5): unknown DIDs resolve against the configured PLC only
  const plc = new PlcClient({ url: config.plcUrl, fallbackUrl: config.dev ? undefined : config.plcFallbackUrl, logger: logger.child({ component: "plc-client" }) });
  const identity = new IdentityService({ config, db, keys, plc, logger: logger.child({ component: "identity" }) });
  // 02 §4: tombstones queued in the deleting transaction, submitted by a job (AuditLog is a stateless façade over db)
  const tombstones = new TombstoneOutbox({ serviceUrl: config.serviceUrl, db, keys, plc, identity, audit: new AuditLog(db, now), jobs, logger: logger.child({ component: "tombstones" }), now });
  jobs.add(tombstones.job());
  // repo engine (wired by the accounts work, which needs it for genesis; the repo domain owns these two lines)
  // private and unverified community repos stay off the live firehose (03 §9)
  const sequencer = new Sequencer(db, { silenced: (tx, did, type) => communitySilencedInTx(tx.orm, did, type) });
  // community governance (05 §4): the one gate every commit to a community repo passes (src/community/governance-guard.ts)
  const repo = new RepoService({ config, db, sequencer, signingKeypair: (did) => identity.signingKeypair(did), logger: logger.child({ component: "repo" }), writeGuard: new CommunityGovernanceGuard() });
  const accountServices = buildAccountServices({ config, secrets, db, identity, repo, names, tombstones, logger, now, appPasswordPepper: appPasswordPepper({ db, keys, serviceDid: config.serviceDid, now }) });
  await startAccounts(accountServices, { config, secrets, db, logger });
  // 02 §4: registrations orphaned by a crash between PLC genesis and finalize (at start, then every minute)
  jobs.add({ name: "creation-reconciler", intervalMs: 60_000, runAtStart: true, run: () => accountServices.accounts.reconcileCreating().then(() => {}) });
  const { resolver: handles, policy: fetchPolicy } = buildHandleResolver(config, {
    // Local names (02 §6): an account in a resolvable status, else a community in any status but takendown.
    resolveLocal: (handle) => {
      const row = accountServices.accounts.lookupRow(handle);
      if (row && isResolvableStatus(row.status)) return row.did;
      const community = findCommunity({ db, config }, handle);
      return community && community.status !== "takendown" ? community.did : undefined;
    },
    getDidDocument: (did) => plc.getDocument(did),
  });
  // firehose (spec 03 §7): live sockets, hourly pruning, crawler notifications after events
  const firehose = new FirehoseService({
    sequencer, accounts: accountServices.accounts, config, logger: logger.child({ component: "firehose" }),
    hiddenFromBackfill: (did) => communityHiddenFromBackfill(db.orm, did),
  });
  jobs.add({ name: "firehose-prune", intervalMs: 3_600_000, run: () => firehose.prune().then(() => {}) });
  const crawlers = new CrawlerNotifier({ crawlers: config.crawlers, hostname: config.hostname, logger: logger.child({ component: "crawler" }), onNotified: crawlerNotifiedNote(db, now) });
  sequencer.fanout.subscribe(() => crawlers.onEvent());
  // blobs (spec 03 §5): the store, and GC of unreferenced/expired blobs
  const blobs = new BlobService({ config, db, logger: logger.child({ component: "blobs" }) });
  jobs.add(blobs.gcJob(config.blobGcIntervalMs));
  const serviceAuth = new ServiceAuthVerifier({ plc, serviceDid: config.serviceDid });
  const adminStatus = new AdminStatusService({ db, accounts: accountServices.accounts, sessions: accountServices.sessions, sequencer, audit: accountServices.audit }, now);
  const lifecycle = new LifecycleService({ config, db, ...accountServices, identity, keys, plc, repo, sequencer, names, logger: logger.child({ component: "lifecycle" }) });
  // did:web communities (02 §10): verified at creation, on the owner's get, and every 6 h until the document matches
  const didWeb = new DidWebVerifier({ config, db, identity, repo, fetchPolicy, logger: logger.child({ component: "did-web" }), handleOf: (r) => `${r.name}.${config.handleDomain}` });
  // communities (spec 04): private/unverified repos stay off the firehose (03 §9)
  const communities = new CommunityService({ config, db, keys, identity, repo, sequencer, accounts: accountServices.accounts, audit: accountServices.audit, names, webVerifier: didWeb, tombstones, logger: logger.child({ component: "communities" }) }, now);
  // 04 §2: community creations orphaned by a crash (at start every `creating` row from before this process, then every minute)
  jobs.add({ name: "community-creation-reconciler", intervalMs: 60_000, runAtStart: true, run: () => communities.reconcileCreating().then(() => {}) });
  // the community methods beside the façade, each with the few services it uses
  const { audit } = accountServices;
  const remoteMembers = new RemoteMembers({ config, serviceAuth, plc, handles, accountHandle: (did) => communities.accountHandle(did) });
  const membership = new MembershipService({ config, db, communities, repo, audit, remote: remoteMembers });
  const roles = new RoleService({ config, db, communities, audit });
  const attestations = new AttestationService({ config, db, communities, remote: remoteMembers, audit, now });
  communities.onDeleteInTx(dropAttestationsInTx);
  const attestationVerifier = new AttestationVerifier({ config, db, communities, repo, plc, handles, fetchPolicy, lexicons: createLexiconRegistry(), now });
  const governance = new GovernanceService({ config, db, communities, repo, sequencer, audit, remote: remoteMembers, lexicons: createLexiconRegistry(), now });
  jobs.add(governance.sweepJob());
  communities.onDeleteInTx(dropProposalsInTx);
  // mail (10 §5): tokens commit first, mails go out after; expired tokens are swept hourly (09 §7)
  const mailer = buildMailer({ config, secrets, logger: logger.child({ component: "mail" }), clock: now });
  const emailTokens = new EmailTokens(db, now);
  const tokenMailer = new TokenMailer({ db, tokens: emailTokens, mailer, logger: logger.child({ component: "mail" }), server: config.hostname || "localhost" });
  jobs.add({ name: "email-token-sweep", intervalMs: 3_600_000, run: () => emailTokens.sweepExpired().then(() => {}) });
  const accountDeletion = new AccountDeletionService({
    db, accounts: accountServices.accounts, sessions: accountServices.sessions, repo, identity, tombstones, blobs, sequencer, audit,
    communities: new CommunityAccountRemoval(communities), graceDays: config.takedownExportGraceDays,
    cleanupInTx: [(tx, did) => accountServices.appPasswords.deleteAllInTx(tx, did), (tx, did) => accountServices.preferences.deleteAllInTx(tx, did), (tx, did) => emailTokens.deleteInTx(tx, did)],
  }, now);
  const communityModeration = new CommunityModerationService({ config, db, communities, audit, sequencer, now });
  const accountModeration = new AccountModerationService({ db, accounts: accountServices.accounts, sessions: accountServices.sessions, sequencer, audit, headRev: (did) => repo.head(did)?.rev, graceDays: config.takedownExportGraceDays }, now);
  const subjectStatus = new SubjectStatusService({
    accounts: accountServices.accounts, moderation: accountModeration,
    // a community DID hosted here maps to the community moderation of 04 §6
    communities: {
      find: (did) => (did.startsWith("did:") ? findCommunity({ db, config }, did) : undefined),
      suspend: (did, actor, reason) => communityModeration.suspend(did, actor, reason),
      unsuspend: (did, actor) => communityModeration.unsuspend(did, actor),
      takedown: (did, actor, reason) => communityModeration.takedown(did, actor, reason),
      untakedown: (did, actor) => communityModeration.untakedown(did, actor),
    },
  });
  const communityOwnership = new CommunityOwnershipService({ config, db, accounts: accountServices.accounts, communities, identity, repo, sequencer, audit, logger });
  const communityExports = new CommunityExportService({ config, db, communities, repo, audit });
  // the generic repo/sync methods' access rules: accounts' statuses, and the community policy for community repos (03 §3, §9)
  const repoAccess = new RepoAccess({
    db, head: (did) => repo.head(did),
    accounts: { lookup: (id) => accountServices.accounts.lookup(id), statuses: (dids) => accountStatuses(db.orm, dids) },
    policy: new CommunityRepoPolicy({ db, config: { handleDomain: config.handleDomain } }),
  });
  const handleChanges = new HandleChangeService({
    config, db, accounts: accountServices.accounts, identity, handles, sequencer, audit: accountServices.audit,
    names, logger: logger.child({ component: "handles" }), now,
  });
  const adminAccounts = new AdminAccountService({ db, accounts: accountServices.accounts, sessions: accountServices.sessions, audit: accountServices.audit, handleChanges }, now);
  jobs.add({ name: "did-web-verify", intervalMs: VERIFY_INTERVAL_MS, run: () => didWeb.verifyPending() });
  const transferDeps = { config, db, keys, plc, repo, sequencer, accounts: accountServices.accounts, audit: accountServices.audit, communities, names, fetchPolicy, logger: logger.child({ component: "community-transfer" }) };
  const communityTransfers = new CommunityTransferService(transferDeps);
  const communityImports = new CommunityImportService(transferDeps);
  const partner = new PartnerService({ config, db, audit: accountServices.audit, accounts: accountServices.accounts, sessions: accountServices.sessions }, now);
  // construction: added by each domain, in dependency order
  const externalKeys = new ExternalKeyService({ db, repo, audit: accountServices.audit, handleDomain: config.handleDomain }, now);
  const profiles = new ProfileService({ repo });
  const serverConfig = new ServerConfigService({ config, db, now, firehoseSeq: () => sequencer.currentSeq(), firehoseSubscribers: () => firehose.subscriberCount });
  const repoRestore = new RepoRestoreService({
    db, plc, signingKeypair: (did) => identity.signingKeypair(did), repo, sequencer, audit: accountServices.audit, accounts: accountServices.accounts,
    communities, imports: communityImports, logger: logger.child({ component: "repo-restore" }), now,
  });
  const holderExports = new HolderExports({ db, rules: [accountHolderExport, communityOwnerExport], now });
  // 06 §10: scheduled CAR snapshots under <DATA_DIR>/exports (a check at start, then every EXPORT_CHECK_INTERVAL_MS)
  const exportSnapshots = buildExportSnapshots({ config, db, repo, audit: accountServices.audit, holderExports, clock: now, logger: logger.child({ component: "export-scheduler" }) });
  if (config.exportSchedulerEnabled) jobs.add(exportSnapshots.job(config.exportCheckIntervalMs));
  const accountExports = new AccountExportService({ db, accounts: accountServices.accounts, repo, audit: accountServices.audit, holderExports, memberships: (did) => membershipsOf(communities, did), preferences: (did, full) => accountServices.preferences.stored(did, full), now });
  const proxy = buildProxyService({ config, fetchPolicy, plcDocument: (did) => plc.getDocument(did), localRecord: (did, c, rkey) => repo.getRecord(did, c, rkey)?.value, signingKeypair: (did) => identity.signingKeypair(did), now, logger: logger.child({ component: "proxy" }) });
  const oauth = await buildOAuthServer({ config, db, keys, fetchPolicy, audit, login: accountServices.login, accounts: accountServices.accounts, now });
  jobs.add({ name: "oauth-sweep", intervalMs: 3_600_000, run: () => oauth.sweep() });
  const mailDeps = { db, audit, tokens: emailTokens, mail: tokenMailer, limitsEnabled: config.rateLimits.enabled, now };
  const emailFlows = new EmailFlowService({ ...mailDeps, accounts: accountServices.accounts, sessions: accountServices.sessions });
  const selfDeletion = new SelfDeletionService({ ...mailDeps, accounts: accountServices.accounts, lockout: new Lockout(db, now), deletion: accountDeletion });
  const plcSignatures = new PlcSignatureService({
    ...mailDeps, logger: logger.child({ component: "plc-signature" }), sign: (did, changes) => identity.signRequestedOperation(did, changes),
    account: (did) => {
      const row = accountServices.accounts.getRow(did);
      return row && row.status !== "creating" && row.status !== "rejected" ? { email: row.email, handle: accountServices.accounts.handleOf(row) } : undefined;
    },
  });
  const staffMessages = new StaffMessageService({
    db, mailer, audit, server: config.hostname || "localhost", logger: logger.child({ component: "mail" }),
    recipient: (did) => {
      const row = accountServices.accounts.getRow(did);
      return row && row.status !== "creating" && row.status !== "rejected" ? { email: row.email } : undefined;
    },
  });
  return { oauth, mailer, emailFlows, selfDeletion, plcSignatures, staffMessages, proxy, accountDeletion, governance, tombstones, roles, attestations, attestationVerifier, serverConfig, exportSnapshots, repoRestore, clock: now, adminAccounts, holderExports, accountExports, repoAccess, adminStatus, accountModeration, subjectStatus, partner, externalKeys, profiles, handleChanges, communities, remoteMembers, membership, communityModeration, communityOwnership, communityExports, communityTransfers, communityImports, jobs, keys, plc, identity, sequencer, repo, firehose, crawlers, blobs, ...accountServices, handles, fetchPolicy, didWeb, serviceAuth, lifecycle };
}
