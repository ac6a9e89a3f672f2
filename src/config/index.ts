// Stage 3: load the whole configuration (raw → typed → secrets) or throw one ConfigError listing every problem.
import { readRawConfig, type RawConfig } from "./raw.ts";
import { buildConfig } from "./build.ts";
import { ensureDevSecrets } from "./dev-secrets.ts";
import { ConfigError } from "./errors.ts";
import { NOT_YET_USED_SETTINGS } from "./settings.ts";
import { dataDirProblem } from "./fs.ts";
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

export interface LoadedConfig {
  config: Config;
  secrets: Secrets;
  /** the config file that was read, if any */
  configPath: string | undefined;
  /** settings that are not refusals but deserve the operator's attention (printed by `serve`) */
  warnings: string[];
}

export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  // Every problem at once: the raw stage's (files, unknown keys) and the typed stage's (values) in one refusal.
  const rawProblems: string[] = [];
  const { raw, configPath } = readRawConfig({ ...opts, problems: rawProblems });
  const built = buildConfig(raw, { dev: opts.dev, cwd: opts.cwd });
  const { config, secrets } = built;
  const problems = [...rawProblems, ...built.problems];
  const dirProblem = dataDirProblem(config.dataDir);
  if (dirProblem) problems.push(dirProblem);
  if (problems.length) throw new ConfigError(problems);
  const warnings = NOT_YET_USED_SETTINGS.filter((n) => raw[n] !== undefined).map((n) => `${n} is set, but this version does not support it yet; it has no effect`);
  if (config.mail.mode === "none") warnings.push("SMTP_URL is not set: email confirmation, password reset, account deletion by mail and PLC operation signing answer 501");
  if (config.env !== "production") return { config, secrets: ensureDevSecrets(config.dataDir, secrets), configPath, warnings };
  return { config, secrets, configPath, warnings };
}
