// AppContext: the services a running PDS hands to its HTTP layer and handlers.
import type { Config, Secrets } from "./config/types.ts";
import type { Logger } from "./util/logger.ts";
import type { Database } from "./db/database.ts";
import type { Services } from "./services.ts";

export interface Lifecycle {
  /** set when SIGTERM/SIGINT arrives; health answers 503 from then on */
  shuttingDown: boolean;
}

export interface AppContext {
  config: Config;
  secrets: Secrets;
  logger: Logger;
  db: Database;
  lifecycle: Lifecycle;
  /** the domain services (accounts, identity, repo, …), built by src/services.ts */
  services: Services;
}
