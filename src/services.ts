// Builds the domain services a PDS runs with, in dependency order, from the config, secrets and database.
import { AdminStatusService } from "./account/admin-status.ts";
import { AccountDeletionService } from "./account/deletion.ts";
import { CommunityAccountRemoval } from "./community/account-removal.ts";
import { AdminAccountService } from "./account/admin-accounts.ts";
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
import { serverClock } from "./util/clock.ts";
import { KeyVault } from "./identity/keys.ts";
import { PlcClient } from "./identity/plc-client.ts";
import { IdentityService } from "./identity/service.ts";
import { TombstoneOutbox } from "./identity/tombstone-outbox.ts";
import { AuditLog } from "./audit/audit-log.ts";
import { RepoService } from "./repo/index.ts";
import { Sequencer } from "./sequencer/index.ts";
import { buildAccountServices, startAccounts } from "./account/index.ts";
import { appPasswordPepper } from "./account/app-password-pepper.ts";
import { JobScheduler } from "./jobs/scheduler.ts";
import { DidWebVerifier, VERIFY_INTERVAL_MS } from "./community/did-web.ts";
import { ServiceAuthVerifier } from "./identity/service-auth.ts";
import { LifecycleService } from "./account/lifecycle/index.ts";
import { FirehoseService } from "./firehose/index.ts";
import { CrawlerNotifier } from "./crawler/index.ts";
import { crawlerNotifiedNote } from "./operator/server-notes.ts";
import { buildHandleResolver } from "./identity/handle-resolver.ts";
import { isResolvableStatus } from "./account/handles.ts";
import { BlobService } from "./blob/index.ts";
import { CommunityService } from "./community/index.ts";
import { RemoteMembers } from "./community/remote.ts";
import { MembershipService } from "./community/membership.ts";
import { RoleService } from "./community/role-service.ts";
import { AttestationService } from "./community/attestations.ts";
import { AttestationVerifier } from "./community/attestation-verify.ts";
import { dropAttestationsInTx } from "./community/attestation-store.ts";
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
import { NameNamespace } from "./names/namespace.ts";
import { accountNameHolder } from "./account/name-claim.ts";
import { communityNameHolder } from "./community/name-claim.ts";
import { buildProxyService } from "./proxy/index.ts";
import { buildOAuthServer } from "./oauth/index.ts";
import { MemoryMarks, MemoryRateLimitStore, type RateLimitStore, type SingleUseMarks } from "./ratelimit/store.ts";
import { SharedMarks, SharedWindows } from "./db/shared-state.ts";
import type { Services } from "./services/types.ts";
import { buildMailBase, buildMailFlows } from "./services/mail.ts";
import { buildModeration } from "./services/moderation.ts";
import { buildExports } from "./services/exports.ts";

export type { Services };

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
  const counters = (prefix: string): RateLimitStore => (config.clusterMode ? new SharedWindows(db, `${prefix}:`) : new MemoryRateLimitStore());
  const marks = (prefix: string): SingleUseMarks => (config.clusterMode ? new SharedMarks(db, `${prefix}:`) : new MemoryMarks());
  const keys = await KeyVault.open(db, secrets.keyEncryptionSecret, { serviceDid: config.serviceDid });
  // --dev never contacts a public directory (ISSUE8 §5): unknown DIDs resolve against the configured PLC only
  const plc = new PlcClient({ url: config.plcUrl, fallbackUrl: config.dev ? undefined : config.plcFallbackUrl, logger: logger.child({ component: "plc-client" }) });
  const identity = new IdentityService({ config, db, keys, plc, logger: logger.child({ component: "identity" }) });
  // 02 §4: tombstones queued in the deleting transaction, submitted by a job (AuditLog is a stateless façade over db)
  const tombstones = new TombstoneOutbox({ serviceUrl: config.serviceUrl, db, keys, plc, identity, audit: new AuditLog(db, now), jobs, logger: logger.child({ component: "tombstones" }), now });
  jobs.add(tombstones.job());
  // repo engine (wired by the accounts work, which needs it for genesis; the repo domain owns these two lines)
  // private and unverified community repos stay off the live firehose (03 §9)
  const sequencer = new Sequencer(db, { silenced: (tx, did, type) => communitySilencedInTx(tx.orm, did, type), cluster: config.clusterMode });
  await sequencer.startClusterFanout();
  // community governance (05 §4): the one gate every commit to a community repo passes (src/community/governance-guard.ts)
  // one lexicon registry (about 7 ms to build) shared by every service that validates records
  const lexicons = createLexiconRegistry();
  const repo = new RepoService({ config, db, sequencer, lexicons, signingKeypair: (did) => identity.signingKeypair(did), logger: logger.child({ component: "repo" }), writeGuard: new CommunityGovernanceGuard() });
  const accountServices = buildAccountServices({ config, secrets, db, identity, repo, names, tombstones, logger, now, appPasswordPepper: appPasswordPepper({ db, keys, serviceDid: config.serviceDid, now }) });
  const { audit } = accountServices;
  await startAccounts(accountServices, { config, secrets, db, logger });
  // 02 §4: registrations orphaned by a crash between PLC genesis and finalize (at start, then every minute)
  jobs.add({ name: "creation-reconciler", intervalMs: 60_000, runAtStart: true, run: () => accountServices.accounts.reconcileCreating().then(() => {}) });
  const { resolver: handles, policy: fetchPolicy } = buildHandleResolver(config, {
    // Local names (02 §6): an account in a resolvable status, else a community in any status but takendown.
    resolveLocal: async (handle) => {
      const row = await accountServices.accounts.lookupRow(handle);
      if (row && isResolvableStatus(row.status)) return row.did;
      const community = await findCommunity({ db, config }, handle);
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
  const blobs = new BlobService({ config, db, logger: logger.child({ component: "blobs" }), quota: counters("blob-quota") });
  jobs.add(blobs.gcJob(config.blobGcIntervalMs));
  const serviceAuth = new ServiceAuthVerifier({ plc, serviceDid: config.serviceDid, marks: marks("service-auth-jti"), counters: counters("service-auth-iss") }, now);
  const adminStatus = new AdminStatusService({ db, accounts: accountServices.accounts, sessions: accountServices.sessions, sequencer, audit }, now);
  const lifecycle = new LifecycleService({ config, db, ...accountServices, identity, keys, plc, repo, sequencer, names, logger: logger.child({ component: "lifecycle" }) });
  // did:web communities (02 §10): verified at creation, on the owner's get, and every 6 h until the document matches
  const didWeb = new DidWebVerifier({ config, db, identity, repo, fetchPolicy, logger: logger.child({ component: "did-web" }), handleOf: (r) => `${r.name}.${config.handleDomain}` });
  // communities (spec 04): private/unverified repos stay off the firehose (03 §9)
  const communities = new CommunityService({ config, db, keys, identity, repo, sequencer, accounts: accountServices.accounts, audit, names, webVerifier: didWeb, tombstones, logger: logger.child({ component: "communities" }) }, now);
  // 04 §2: community creations orphaned by a crash (at start every `creating` row from before this process, then every minute)
  jobs.add({ name: "community-creation-reconciler", intervalMs: 60_000, runAtStart: true, run: () => communities.reconcileCreating().then(() => {}) });
  // the community methods beside the façade, each with the few services it uses
  const remoteMembers = new RemoteMembers({ config, serviceAuth, plc, handles, accountHandle: (did) => communities.accountHandle(did) });
  const membership = new MembershipService({ config, db, communities, repo, audit, remote: remoteMembers });
  const roles = new RoleService({ config, db, communities, audit });
  const attestations = new AttestationService({ config, db, communities, remote: remoteMembers, audit, now });
  communities.onDeleteInTx(dropAttestationsInTx);
  const attestationVerifier = new AttestationVerifier({ config, db, communities, repo, plc, handles, fetchPolicy, lexicons, now });
  const governance = new GovernanceService({ config, db, communities, repo, sequencer, audit, remote: remoteMembers, lexicons, now });
  jobs.add(governance.sweepJob());
  communities.onDeleteInTx(dropProposalsInTx);
  // mail (10 §5): the mailer and tokens now (deletion drops tokens), the flows once deletion exists
  const mail = buildMailBase({ config, secrets, db, logger, jobs, now });
  const accountDeletion = new AccountDeletionService({
    db, accounts: accountServices.accounts, sessions: accountServices.sessions, repo, identity, tombstones, blobs, sequencer, audit,
    communities: new CommunityAccountRemoval(communities), graceDays: config.takedownExportGraceDays,
    cleanupInTx: [(tx, did) => accountServices.appPasswords.deleteAllInTx(tx, did), (tx, did) => accountServices.preferences.deleteAllInTx(tx, did), (tx, did) => mail.emailTokens.deleteInTx(tx, did)],
  }, now);
  const { communityModeration, accountModeration, subjectStatus } = buildModeration({ config, db, now, accounts: accountServices.accounts, sessions: accountServices.sessions, audit, communities, sequencer, repo });
  const communityOwnership = new CommunityOwnershipService({ config, db, accounts: accountServices.accounts, communities, identity, repo, sequencer, audit, logger });
  const communityExports = new CommunityExportService({ config, db, communities, repo, audit });
  // the generic repo/sync methods' access rules: accounts' statuses, and the community policy for community repos (03 §3, §9)
  const repoAccess = new RepoAccess({
    db, head: (did) => repo.head(did),
    accounts: { lookup: (id) => accountServices.accounts.lookup(id), statuses: (dids) => accountStatuses(db.orm, dids) },
    policy: new CommunityRepoPolicy({ db, config: { handleDomain: config.handleDomain } }),
  });
  const handleChanges = new HandleChangeService({
    config, db, accounts: accountServices.accounts, identity, handles, sequencer, audit,
    names, logger: logger.child({ component: "handles" }), now,
  });
  const adminAccounts = new AdminAccountService({ db, accounts: accountServices.accounts, sessions: accountServices.sessions, audit, handleChanges }, now);
  jobs.add({ name: "did-web-verify", intervalMs: VERIFY_INTERVAL_MS, run: () => didWeb.verifyPending() });
  const transferDeps = { config, db, keys, plc, repo, sequencer, accounts: accountServices.accounts, audit, communities, names, fetchPolicy, logger: logger.child({ component: "community-transfer" }) };
  const communityTransfers = new CommunityTransferService(transferDeps);
  const communityImports = new CommunityImportService(transferDeps);
  const partner = new PartnerService({ config, db, audit, accounts: accountServices.accounts, sessions: accountServices.sessions }, now);
  // construction: added by each domain, in dependency order
  const externalKeys = new ExternalKeyService({ db, repo, audit, handleDomain: config.handleDomain }, now);
  const profiles = new ProfileService({ repo });
  const serverConfig = new ServerConfigService({ config, db, now, firehoseSeq: () => sequencer.currentSeq(), firehoseSubscribers: () => firehose.subscriberCount });
  const repoRestore = new RepoRestoreService({
    db, plc, signingKeypair: (did) => identity.signingKeypair(did), repo, sequencer, audit, accounts: accountServices.accounts,
    communities, imports: communityImports, logger: logger.child({ component: "repo-restore" }), now,
  });
  const { holderExports, exportSnapshots, accountExports } = buildExports({ config, db, logger, now, jobs, repo, accounts: accountServices.accounts, audit, preferences: accountServices.preferences, communities });
  const proxy = buildProxyService({ config, fetchPolicy, plcDocument: (did) => plc.getDocument(did), localRecord: async (did, c, rkey) => (await repo.getRecord(did, c, rkey))?.value, signingKeypair: (did) => identity.signingKeypair(did), now, logger: logger.child({ component: "proxy" }) });
  const oauth = await buildOAuthServer({ config, db, keys, fetchPolicy, audit, login: accountServices.login, accounts: accountServices.accounts, now, ...(config.clusterMode ? { marks: marks("dpop-jti") } : {}) });
  jobs.add({ name: "oauth-sweep", intervalMs: 3_600_000, run: () => oauth.sweep() });
  const { emailFlows, selfDeletion, plcSignatures, staffMessages } = buildMailFlows(mail, { config, db, logger, now, accounts: accountServices.accounts, sessions: accountServices.sessions, audit, deletion: accountDeletion, identity });
  return { oauth, mailer: mail.mailer, emailFlows, selfDeletion, plcSignatures, staffMessages, proxy, accountDeletion, governance, tombstones, roles, attestations, attestationVerifier, serverConfig, exportSnapshots, repoRestore, clock: now, counters, adminAccounts, holderExports, accountExports, repoAccess, adminStatus, accountModeration, subjectStatus, partner, externalKeys, profiles, handleChanges, communities, remoteMembers, membership, communityModeration, communityOwnership, communityExports, communityTransfers, communityImports, jobs, keys, plc, identity, sequencer, repo, firehose, crawlers, blobs, ...accountServices, handles, fetchPolicy, didWeb, serviceAuth, lifecycle };
}
