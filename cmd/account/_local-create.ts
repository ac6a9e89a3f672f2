// Local `ofpds account create --data-dir`: the first admin when bootstrap failed, created on the data directory itself
// (no server may hold it) by the bootstrap's routine, with only the services account creation needs.
import { join } from "node:path";
import type { Config, Secrets } from "../../src/config/types.ts";
import { openConfiguredDatabase } from "../../src/migrations.ts";
import { acquireDataDirLock, type DataDirLock } from "../../src/db/lock.ts";
import type { Database } from "../../src/db/database.ts";
import { createLogger } from "../../src/util/logger.ts";
import { serverClock } from "../../src/util/clock.ts";
import { KeyVault } from "../../src/identity/keys.ts";
import { PlcClient } from "../../src/identity/plc-client.ts";
import { IdentityService } from "../../src/identity/service.ts";
import { Sequencer } from "../../src/sequencer/index.ts";
import { RepoService } from "../../src/repo/index.ts";
import { NameNamespace } from "../../src/names/namespace.ts";
import { accountNameHolder } from "../../src/account/name-claim.ts";
import { communityNameHolder } from "../../src/community/name-claim.ts";
import { communitySilencedInTx } from "../../src/community/firehose-policy.ts";
import { buildAccountServices } from "../../src/account/index.ts";
import { createOperatorAdmin } from "../../src/account/bootstrap.ts";
import { TombstoneOutbox } from "../../src/identity/tombstone-outbox.ts";
import { AuditLog } from "../../src/audit/audit-log.ts";
import { JobScheduler } from "../../src/jobs/scheduler.ts";
import type { PlcServer } from "../../plc/index.ts";

export interface LocalAdminInput {
  handle: string;
  email: string;
  password: string;
  keyFile?: string;
}

/**
 * Takes the data dir's lock first (a running server holds it: DataDirLockedError, nothing written), then builds
 * the account services as src/services.ts does and runs createOperatorAdmin. With an embedded PLC directory
 * (--dev) the directory is started for the duration, as `serve` would, so the genesis operation lands in it.
 */
export async function createAdminLocally(config: Config, secrets: Secrets, input: LocalAdminInput) {
  const logger = createLogger({ level: "error", format: config.logFormat });
  const lock: DataDirLock = acquireDataDirLock(config.dataDir);
  let db: Database | undefined;
  let plc: PlcServer | undefined;
  let plcLock: DataDirLock | undefined;
  try {
    db = await openConfiguredDatabase(config);
    if (config.plcEmbedded) {
      plcLock = acquireDataDirLock(config.dataDir, "plc.sqlite.lock");
      const { startPlcServer } = await import("../../plc/index.ts");
      plc = await startPlcServer({
        port: config.plcPort, host: config.plcHost, dbPath: join(config.dataDir, "plc.sqlite"), rateLimitsEnabled: false,
        trustProxy: config.trustProxy, dev: true, version: config.version, verifyWorkers: false, logger: logger.child({ component: "plc" }),
      });
      config = { ...config, plcUrl: plc.url };
    }
    const now = serverClock(config);
    const keys = await KeyVault.open(db, secrets.keyEncryptionSecret, { serviceDid: config.serviceDid });
    const plcClient = new PlcClient({ url: config.plcUrl, fallbackUrl: config.dev ? undefined : config.plcFallbackUrl, logger });
    const identity = new IdentityService({ config, db, keys, plc: plcClient, logger });
    const sequencer = new Sequencer(db, { silenced: (tx, did, type) => communitySilencedInTx(tx.orm, did, type) });
    const repo = new RepoService({ config, db, sequencer, signingKeypair: (did) => identity.signingKeypair(did), logger });
    const names = new NameNamespace([accountNameHolder, communityNameHolder]);
    // never used by a creation (only rejection and deletion queue tombstones), built as services.ts builds it; its job is not started
    const tombstones = new TombstoneOutbox({ serviceUrl: config.serviceUrl, db, keys, plc: plcClient, identity, audit: new AuditLog(db, now), jobs: new JobScheduler(logger), logger, now });
    const { accounts, audit } = buildAccountServices({ config, secrets, db, identity, repo, names, tombstones, logger, now });
    const { created, rotationKeyFile } = await createOperatorAdmin({ config, db, accounts, audit, logger }, { ...input, via: "cli" });
    return { did: created.did, handle: created.handle, email: created.email, status: created.status, roles: await accounts.rolesOf(created.did), ...(rotationKeyFile ? { rotationKeyFile } : {}) };
  } finally {
    await plc?.stop().catch(() => {});
    plcLock?.release();
    await db?.close().catch(() => {});
    lock.release();
  }
}
