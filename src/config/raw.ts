// Stage 1: collect raw string settings from flags > environment > .env > config file (TOML).
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import envPaths from "env-paths";
import { ConfigError } from "./errors.ts";

/** Secrets that may also come from `<NAME>_FILE` or a systemd credential. */
export const SECRET_NAMES = [
  "AUTH_JWT_SECRET",
  "KEY_ENCRYPTION_SECRET",
  "DB_PASSWORD",
  "DATABASE_URL",
  "BOOTSTRAP_ADMIN_PASSWORD",
] as const;

export type RawConfig = Record<string, string>;

export interface RawSources {
  /** settings given as CLI flags, already named by their environment names */
  flags?: RawConfig;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** `--env-file`; defaults to `<cwd>/.env` when it exists */
  envFile?: string;
  /** `--config`; else OFPDS_CONFIG; else the XDG config dir */
  configPath?: string;
}

export function defaultConfigPath(env: Record<string, string | undefined> = process.env): string {
  return env.OFPDS_CONFIG || join(envPaths("ofpds", { suffix: "" }).config, "config.toml");
}

/** Parses KEY=VALUE lines; `#` comments; optional single or double quotes. */
export function parseDotenv(text: string): RawConfig {
  const out: RawConfig = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m) continue;
    let value = m[2]!;
    const quoted = /^(['"])(.*)\1$/.exec(value);
    if (quoted) value = quoted[2]!;
    else value = value.replace(/\s+#.*$/, "");
    out[m[1]!] = value;
  }
  return out;
}

function looseMode(path: string): boolean {
  return (statSync(path).mode & 0o077) !== 0;
}

function readConfigFile(path: string, problems: string[]): RawConfig {
  let parsed: Record<string, unknown>;
  try {
    parsed = Bun.TOML.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch (err) {
    problems.push(`config file ${path} is not valid TOML (${(err as Error).message.split("\n")[0]})`);
    return {};
  }
  const out: RawConfig = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (value === null || typeof value === "object") {
      problems.push(`config file key "${key}" must be a string, number or boolean`);
      continue;
    }
    out[key.toUpperCase()] = String(value);
  }
  if (SECRET_NAMES.some((n) => out[n] !== undefined) && looseMode(path)) {
    problems.push(`config file ${path} holds a secret but is readable by group or others (chmod 600 it)`);
  }
  return out;
}

/** Resolves `<NAME>_FILE` and `$CREDENTIALS_DIRECTORY/<name>` for the secret settings. */
function readSecretFiles(merged: RawConfig, problems: string[]): void {
  const credDir = merged.CREDENTIALS_DIRECTORY;
  for (const name of SECRET_NAMES) {
    if (merged[name] !== undefined) continue;
    const candidates = [merged[`${name}_FILE`]];
    if (credDir) candidates.push(join(credDir, name.toLowerCase()), join(credDir, name));
    for (const file of candidates) {
      if (!file || !existsSync(file)) {
        if (file && file === merged[`${name}_FILE`]) problems.push(`${name}_FILE points to ${file}, which does not exist`);
        continue;
      }
      if (!credDir || !file.startsWith(credDir)) {
        if (looseMode(file)) problems.push(`secret file ${file} is readable by group or others (chmod 600 it)`);
      }
      merged[name] = readFileSync(file, "utf8").trim();
      break;
    }
  }
}

export function readRawConfig(sources: RawSources = {}): { raw: RawConfig; configPath: string | undefined } {
  const env = sources.env ?? process.env;
  const cwd = sources.cwd ?? process.cwd();
  const problems: string[] = [];

  const configPath = sources.configPath ? resolve(cwd, sources.configPath) : defaultConfigPath(env);
  let fromFile: RawConfig = {};
  if (existsSync(configPath)) fromFile = readConfigFile(configPath, problems);
  else if (sources.configPath) problems.push(`config file ${configPath} does not exist`);

  const envFile = sources.envFile ? resolve(cwd, sources.envFile) : join(cwd, ".env");
  let fromDotenv: RawConfig = {};
  if (existsSync(envFile)) {
    fromDotenv = parseDotenv(readFileSync(envFile, "utf8"));
    if (SECRET_NAMES.some((n) => fromDotenv[n] !== undefined) && looseMode(envFile)) {
      problems.push(`${envFile} holds a secret but is readable by group or others (chmod 600 it)`);
    }
  } else if (sources.envFile) problems.push(`env file ${envFile} does not exist`);

  const fromEnv: RawConfig = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== "") fromEnv[k] = v;

  const raw: RawConfig = { ...fromFile, ...fromDotenv, ...fromEnv, ...(sources.flags ?? {}) };
  readSecretFiles(raw, problems);
  if (problems.length) throw new ConfigError(problems);
  return { raw, configPath: existsSync(configPath) ? configPath : undefined };
}
