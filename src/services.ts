// Builds the domain services a PDS runs with, in dependency order, from the config, secrets and database.
import type { Config, Secrets } from "./config/types.ts";
import type { Database } from "./db/database.ts";
import type { Logger } from "./util/logger.ts";

/**
 * Each domain adds its service here (one field, one construction line below). Services are
 * framework-free classes: handlers in src/api/ call them; they never import Elysia.
 */
export interface Services {
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
  // construction: added by each domain, in dependency order
  return {};
}
