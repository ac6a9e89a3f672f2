// Builds the domain services a PDS runs with, in dependency order, from the config, secrets and database.
import type { Config, Secrets } from "./config/types.ts";
import type { Database } from "./db/database.ts";
import type { Logger } from "./util/logger.ts";
import { KeyVault } from "./identity/keys.ts";
import { PlcClient } from "./identity/plc-client.ts";
import { IdentityService } from "./identity/service.ts";

/**
 * Each domain adds its service here (one field, one construction line below). Services are
 * framework-free classes: handlers in src/api/ call them; they never import Elysia.
 */
export interface Services {
  keys: KeyVault;
  plc: PlcClient;
  identity: IdentityService;
  // services: added by each domain
}

export interface ServiceDeps {
  config: Config;
  secrets: Secrets;
  db: Database;
  logger: Logger;
}

export async function buildServices(deps: ServiceDeps): Promise<Services> {
  void deps;
  const { config, secrets, db, logger } = deps;
  const keys = await KeyVault.open(db, secrets.keyEncryptionSecret, { serviceDid: config.serviceDid });
  const plc = new PlcClient({ url: config.plcUrl, fallbackUrl: config.plcFallbackUrl, logger: logger.child({ component: "plc-client" }) });
  const identity = new IdentityService({ config, db, keys, plc, logger: logger.child({ component: "identity" }) });
  // construction: added by each domain, in dependency order
  return { keys, plc, identity };
}
