// Stage 1: collect raw string settings from flags > environment > .env > config file (TOML).
import type { Stats } from "node:fs";
import { join, resolve } from "node:path";
import envPaths from "env-paths";
import { ConfigError } from "./errors.ts";
import { readText, statPath } from "./fs.ts";
import { CONFIG_FILE_NAMES, OFPDS_ENV_NAMES, SECRET_NAMES } from "./settings.ts";
import { suggest } from "../util/suggest.ts";

export { SECRET_NAMES };

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
  /** when given, problems are appended here instead of thrown, so a caller can report them with its own */
  problems?: string[];
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

const looseMode = (st: Stats): boolean => (st.mode & 0o077) !== 0;

function readConfigFile(path: string, st: Stats, problems: string[]): RawConfig {
  const text = readText(path, "config file", problems);
  if (text === undefined) return {};
  let parsed: Record<string, unknown>;
  try {
    parsed = Bun.TOML.parse(text) as Record<string, unknown>;
  } catch (err) {
    problems.push(`config file ${path} is not valid TOML (${(err as Error).message.split("\n")[0]})`);
    return {};
  }
  const out: RawConfig = {};
  for (const [key, value] of Object.entries(parsed)) {
    const name = key.toUpperCase();
    if (!CONFIG_FILE_NAMES.has(name) || key !== key.toLowerCase()) {
      // Keys are the environment names in lower case (09 §1); anything else is a typo that would be ignored.
      const hint = suggest(key.toLowerCase(), [...CONFIG_FILE_NAMES].map((n) => n.toLowerCase()));
      problems.push(`config file ${path}: unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ""}`);
      continue;
    }
    if (value === null || typeof value === "object") {
      problems.push(`config file key "${key}" must be a string, number or boolean`);
      continue;
    }
    out[name] = String(value);
  }
  if (SECRET_NAMES.some((n) => out[n] !== undefined) && looseMode(st)) {
    problems.push(`config file ${path} holds a secret but is readable by group or others (chmod 600 it)`);
  }
  return out;
}

/** Resolves `<NAME>_FILE` and `$CREDENTIALS_DIRECTORY/<name>` for the secret settings. */
function readSecretFiles(merged: RawConfig, problems: string[]): void {
  const credDir = merged.CREDENTIALS_DIRECTORY;
  for (const name of SECRET_NAMES) {
    if (merged[name] !== undefined) continue;
    const explicit = merged[`${name}_FILE`];
    const candidates = [explicit];
    if (credDir) candidates.push(join(credDir, name.toLowerCase()), join(credDir, name));
    for (const file of candidates) {
      if (!file) continue;
      const st = statPath(file, `${name} file`, problems);
      if (st === null) break;
      if (st === undefined) {
        if (file === explicit) problems.push(`${name}_FILE points to ${file}, which does not exist`);
        continue;
      }
      if ((!credDir || !file.startsWith(credDir)) && looseMode(st)) {
        problems.push(`secret file ${file} is readable by group or others (chmod 600 it)`);
      }
      const text = readText(file, `${name} file`, problems);
      if (text !== undefined) merged[name] = text.trim();
      break;
    }
  }
}

/** `OFPDS_*` variables are ours alone, so an unknown one is a typo (other variables may belong to anything). */
function checkOfpdsVariables(vars: Record<string, string | undefined>, where: string, problems: string[]): void {
  for (const name of Object.keys(vars)) {
    if (!name.startsWith("OFPDS_") || OFPDS_ENV_NAMES.has(name)) continue;
    const hint = suggest(name, OFPDS_ENV_NAMES);
    const place = where === "environment" ? "environment variable" : `variable in ${where}:`;
    problems.push(`unknown ${place} ${name}${hint ? ` (did you mean ${hint}?)` : ""}`);
  }
}

export function readRawConfig(sources: RawSources = {}): { raw: RawConfig; configPath: string | undefined } {
  const env = sources.env ?? process.env;
  const cwd = sources.cwd ?? process.cwd();
  const problems: string[] = sources.problems ?? [];

  const configPath = sources.configPath ? resolve(cwd, sources.configPath) : defaultConfigPath(env);
  let fromFile: RawConfig = {};
  const configStat = statPath(configPath, "config file", problems);
  if (configStat) fromFile = readConfigFile(configPath, configStat, problems);
  else if (configStat === undefined && sources.configPath) problems.push(`config file ${configPath} does not exist`);

  const envFile = sources.envFile ? resolve(cwd, sources.envFile) : join(cwd, ".env");
  let fromDotenv: RawConfig = {};
  const envStat = statPath(envFile, "env file", problems);
  if (envStat) {
    const text = readText(envFile, "env file", problems);
    fromDotenv = text === undefined ? {} : parseDotenv(text);
    if (SECRET_NAMES.some((n) => fromDotenv[n] !== undefined) && looseMode(envStat)) {
      problems.push(`${envFile} holds a secret but is readable by group or others (chmod 600 it)`);
    }
    checkOfpdsVariables(fromDotenv, envFile, problems);
  } else if (envStat === undefined && sources.envFile) problems.push(`env file ${envFile} does not exist`);

  const fromEnv: RawConfig = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== "") fromEnv[k] = v;
  checkOfpdsVariables(fromEnv, "environment", problems);

  const raw: RawConfig = { ...fromFile, ...fromDotenv, ...fromEnv, ...(sources.flags ?? {}) };
  readSecretFiles(raw, problems);
  if (problems.length && !sources.problems) throw new ConfigError(problems);
  return { raw, configPath: configStat ? configPath : undefined };
}
