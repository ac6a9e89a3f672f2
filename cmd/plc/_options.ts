// Resolves `ofpds plc` options (flags > env > config file > defaults) into the directory's settings.
import { join, resolve } from "node:path";
import { readRawConfig } from "../../src/config/raw.ts";
import { buildConfig } from "../../src/config/build.ts";
import { ConfigError } from "../../src/config/errors.ts";

export interface PlcCliArgs {
  port?: string;
  host?: string;
  "data-dir"?: string;
  db?: string;
  config?: string;
}

export function plcOptions(args: PlcCliArgs) {
  const flags: Record<string, string> = {};
  if (args.port) flags.PLC_PORT = args.port;
  if (args.host) flags.PLC_HOST = args.host;
  if (args["data-dir"]) flags.DATA_DIR = args["data-dir"];
  const { raw } = readRawConfig({ flags, configPath: args.config });
  // The directory needs none of the PDS's production settings, so build in development mode and keep the PLC ones.
  const { config, problems } = buildConfig(raw, { dev: true });
  const relevant = problems.filter((p) => /^(PLC_|DATA_DIR|TRUST_PROXY)/.test(p));
  if (relevant.length) throw new ConfigError(relevant);
  const dataDir = args["data-dir"] ? resolve(args["data-dir"]) : raw.DATA_DIR ? resolve(raw.DATA_DIR) : config.dataDir;
  return {
    port: config.plcPort,
    host: config.plcHost,
    dataDir,
    dbPath: args.db ? resolve(args.db) : join(dataDir, "plc.sqlite"),
    rateLimitsEnabled: config.plcRateLimitsEnabled,
    trustProxy: config.trustProxy,
    version: config.version,
    dev: raw.OFPDS_ENV === "development",
  };
}

export const plcArgs = {
  "data-dir": { type: "string", description: "Data directory; the database is <data dir>/plc.sqlite" },
  db: { type: "string", description: "Database file (overrides --data-dir)" },
  config: { type: "string", description: "Config file (TOML)" },
} as const;
