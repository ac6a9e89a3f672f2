// Config for the local operator commands (doctor, backup, keys, repair): the same sources and flags as `serve`.
import type { ArgsDef } from "citty";
import type { LoadedConfig } from "../../src/config/index.ts";
import { readRawConfig } from "../../src/config/raw.ts";
import { buildConfig } from "../../src/config/build.ts";
import { ConfigError } from "../../src/config/errors.ts";
import { NOT_YET_USED_SETTINGS } from "../../src/config/settings.ts";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const localConfigArgs = {
  "data-dir": { type: "string", description: "Data directory (DATA_DIR)" },
  config: { type: "string", description: "Config file (TOML); default $OFPDS_CONFIG or the XDG config dir" },
  "env-file": { type: "string", description: "Read settings from this .env file instead of ./.env" },
  dev: { type: "boolean", description: "The data set of `ofpds serve --dev` (./.ofpds-dev, generated secrets)" },
} as const satisfies ArgsDef;

export interface LocalConfigFlags {
  "data-dir"?: string;
  config?: string;
  "env-file"?: string;
  dev?: boolean;
  port?: string;
  hostname?: string;
}

function flagsOf(args: LocalConfigFlags): Record<string, string> {
  const flags: Record<string, string> = {};
  if (args["data-dir"]) flags.DATA_DIR = args["data-dir"];
  if (args.port) flags.PORT = args.port;
  if (args.hostname) flags.PDS_HOSTNAME = args.hostname;
  return flags;
}

/** One raw setting as the config would see it (for settings this version reads but does not type yet, e.g. SMTP_URL). */
export function rawSetting(args: LocalConfigFlags, name: string): string | undefined {
  const { raw } = readRawConfig({ flags: flagsOf(args), configPath: args.config, envFile: args["env-file"], problems: [] });
  return raw[name] || undefined;
}

/**
 * The configuration without generating --dev secrets: `backup restore` must not write secrets.json into the very
 * directory it is about to fill (the archive may carry the original one). Refuses (78) like loadConfig otherwise.
 */
export function loadTargetConfig(args: LocalConfigFlags): LoadedConfig {
  const problems: string[] = [];
  const { raw, configPath } = readRawConfig({ flags: flagsOf(args), configPath: args.config, envFile: args["env-file"], problems });
  const built = buildConfig(raw, { dev: args.dev === true });
  problems.push(...built.problems);
  if (problems.length) throw new ConfigError(problems);
  const warnings = NOT_YET_USED_SETTINGS.filter((n) => raw[n] !== undefined).map((n) => `${n} is set, but this version does not support it yet; it has no effect`);
  return { config: built.config, secrets: built.secrets, configPath, warnings };
}

/**
 * The configuration for a read-only look (doctor): like `serve`'s, but --dev secrets are only read from an existing
 * <DATA_DIR>/secrets.json, never generated, so looking at a data dir never writes to it.
 */
export function loadConfigReadOnly(args: LocalConfigFlags): LoadedConfig {
  const loaded = loadTargetConfig(args);
  const { config, secrets } = loaded;
  const file = join(config.dataDir, "secrets.json");
  if (config.env !== "production" && (!secrets.authJwtSecret || !secrets.keyEncryptionSecret) && existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, "utf8")) as { AUTH_JWT_SECRET?: string; KEY_ENCRYPTION_SECRET?: string };
    loaded.secrets = { ...secrets, authJwtSecret: secrets.authJwtSecret || stored.AUTH_JWT_SECRET || "", keyEncryptionSecret: secrets.keyEncryptionSecret || stored.KEY_ENCRYPTION_SECRET || "" };
  }
  return loaded;
}
