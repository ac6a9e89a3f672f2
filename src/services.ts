// Builds the domain services a PDS runs with, in dependency order, from the config, secrets and database.
import type { Config, Secrets } from "./config/types.ts";
import type { Database } from "./db/database.ts";
import type { Logger } from "./util/logger.ts";
import { KeyVault } from "./identity/keys.ts";
import { PlcClient } from "./identity/plc-client.ts";
import { IdentityService } from "./identity/service.ts";
import { RepoService } from "./repo/index.ts";
import { Sequencer } from "./sequencer/index.ts";
import { buildAccountServices, startAccounts, type AccountServices } from "./account/index.ts";
import { JobScheduler } from "./jobs/scheduler.ts";

/**
 * Each domain adds its service here (one field, one construction line below). Services are
 * framework-free classes: handlers in src/api/ call them; they never import Elysia.
 */
export interface Services {
  /** background jobs; domains add theirs in buildServices, the server starts them after listening */
  jobs: JobScheduler;
  keys: KeyVault;
  plc: PlcClient;
  identity: IdentityService;
  sequencer: Sequencer;
  repo: RepoService;
  // accounts domain: accounts, sessions, invites, login, audit
  accounts: AccountServices["accounts"];
  sessions: AccountServices["sessions"];
  invites: AccountServices["invites"];
  login: AccountServices["login"];
  audit: AccountServices["audit"];
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
  const jobs = new JobScheduler(logger.child({ component: "jobs" }));
  const keys = await KeyVault.open(db, secrets.keyEncryptionSecret, { serviceDid: config.serviceDid });
  const plc = new PlcClient({ url: config.plcUrl, fallbackUrl: config.plcFallbackUrl, logger: logger.child({ component: "plc-client" }) });
  const identity = new IdentityService({ config, db, keys, plc, logger: logger.child({ component: "identity" }) });
  // repo engine (wired by the accounts work, which needs it for genesis; the repo domain owns these two lines)
  const sequencer = new Sequencer(db);
  const repo = new RepoService({ config, db, sequencer, signingKeypair: (did) => identity.signingKeypair(did), logger: logger.child({ component: "repo" }) });
  const accountServices = buildAccountServices({ config, secrets, db, identity, repo, logger });
  await startAccounts(accountServices, { config, secrets, db, logger });
  // construction: added by each domain, in dependency order
  return { jobs, keys, plc, identity, sequencer, repo, ...accountServices };
}
