// Stage 3: load the whole configuration (raw → typed → secrets) or throw one ConfigError listing every problem.
import { readRawConfig, type RawConfig } from "./raw.ts";
import { buildConfig } from "./build.ts";
import { ensureDevSecrets } from "./dev-secrets.ts";
import { ConfigError } from "./errors.ts";
import type { Config, Secrets } from "./types.ts";

export { ConfigError } from "./errors.ts";
export type { Config, Secrets } from "./types.ts";

export interface LoadOptions {
  /** settings from CLI flags, keyed by environment name (PORT, HOST, DATA_DIR, …) */
  flags?: RawConfig;
  dev?: boolean;
  configPath?: string;
  envFile?: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
}

export function loadConfig(opts: LoadOptions = {}): { config: Config; secrets: Secrets } {
  const { raw } = readRawConfig(opts);
  const { config, secrets, problems } = buildConfig(raw, { dev: opts.dev, cwd: opts.cwd });
  if (problems.length) throw new ConfigError(problems);
  if (config.env !== "production") return { config, secrets: ensureDevSecrets(config.dataDir, secrets) };
  return { config, secrets };
}
