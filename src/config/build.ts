// Stage 2: turn raw settings into a typed, validated Config plus a separate Secrets object.
import { isIP } from "node:net";
import { resolve } from "node:path";
import envPaths from "env-paths";
import type { Config, OfpdsEnv, Secrets } from "./types.ts";
import type { RawConfig } from "./raw.ts";
import { VERSION } from "../version.ts";
import { suggest } from "../util/suggest.ts";
import { proxyConfig } from "./proxy.ts";
import { mailConfig } from "./mail.ts";

const PLACEHOLDER_SECRETS = new Set(["dev-secret-change-me", "change_me", "changeme", "secret"]);
const DISALLOWED_TLDS = ["local", "localhost", "test", "invalid", "internal", "example", "arpa", "onion", "alt"];
const DOMAIN_RE = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
const TTL_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export interface BuildOptions {
  /** `serve --dev` */
  dev?: boolean;
  cwd?: string;
}

/** Parses `<int>[smhd]` into milliseconds; undefined when malformed. */
export function parseDuration(value: string): number | undefined {
  const m = /^(\d+)([smhd])$/.exec(value.trim());
  return m ? Number(m[1]) * TTL_UNITS[m[2]!]! : undefined;
}

/** `did:web:<host>` with a non-default port percent-encoded (02 §1). */
export function serviceDidFor(serviceUrl: string): string {
  const url = new URL(serviceUrl);
  return `did:web:${url.hostname}${url.port ? `%3A${url.port}` : ""}`;
}

class Reader {
  readonly problems: string[] = [];
  constructor(private readonly raw: RawConfig) {}

  str(name: string, fallback: string): string;
  str(name: string, fallback?: string): string | undefined;
  str(name: string, fallback?: string): string | undefined {
    const v = this.raw[name];
    return v === undefined || v === "" ? fallback : v;
  }
  bool(name: string, fallback: boolean): boolean {
    const v = this.str(name);
    if (v === undefined) return fallback;
    if (/^(1|true|yes|on)$/i.test(v)) return true;
    if (/^(0|false|no|off)$/i.test(v)) return false;
    this.problems.push(`${name} must be true or false (got "${v}")`);
    return fallback;
  }
  int(name: string, fallback: number, min: number, max: number): number {
    const v = this.str(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max} (got "${v}")`);
      return fallback;
    }
    return n;
  }
  duration(name: string, fallback: string, minMs: number, maxMs: number, range: string): number {
    const v = this.str(name, fallback);
    const ms = parseDuration(v);
    if (ms === undefined || ms < minMs || ms > maxMs) {
      this.problems.push(`${name} must be <int>[smhd] between ${range} (got "${v}")`);
      return parseDuration(fallback)!;
    }
    return ms;
  }
  /** One of `allowed`; anything else is a problem naming the choices and the nearest one. */
  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const v = this.str(name);
    if (v === undefined) return fallback;
    const hit = allowed.find((a) => a === v.toLowerCase());
    if (hit) return hit;
    const hint = suggest(v.toLowerCase(), allowed);
    this.problems.push(`${name} must be one of ${allowed.join(", ")} (got "${v}"${hint ? `; did you mean "${hint}"?` : ""})`);
    return fallback;
  }

  list(name: string, fallback: string[]): string[] {
    const v = this.str(name);
    return v === undefined ? fallback : v.split(",").map((s) => s.trim()).filter(Boolean);
  }
}

function modeFrom(r: Reader, dev: boolean): OfpdsEnv {
  if (dev) return "development";
  const v = r.str("OFPDS_ENV") ?? r.str("NODE_ENV");
  if (v === "development" || v === "test" || v === "production") return v;
  if (v !== undefined && r.str("OFPDS_ENV") !== undefined) {
    const hint = suggest(v.toLowerCase(), ["production", "development", "test"]);
    r.problems.push(`OFPDS_ENV must be production, development or test (got "${v}"${hint ? `; did you mean "${hint}"?` : ""})`);
  }
  return "production";
}

function checkSecrets(r: Reader, secrets: Secrets, production: boolean): void {
  if (!production) return;
  const jwt = secrets.authJwtSecret;
  if (!jwt) r.problems.push("AUTH_JWT_SECRET is missing (generate one with `openssl rand -base64 48`)");
  else if (PLACEHOLDER_SECRETS.has(jwt.toLowerCase())) r.problems.push("AUTH_JWT_SECRET is a placeholder value");
  else if (jwt.length < 32) r.problems.push(`AUTH_JWT_SECRET must be at least 32 characters (got ${jwt.length})`);
  const kek = secrets.keyEncryptionSecret;
  if (!kek) r.problems.push("KEY_ENCRYPTION_SECRET is missing (generate one with `openssl rand -base64 48`)");
  else if (kek.length < 32) r.problems.push(`KEY_ENCRYPTION_SECRET must be at least 32 characters (got ${kek.length})`);
  else if (kek === jwt) r.problems.push("KEY_ENCRYPTION_SECRET must differ from AUTH_JWT_SECRET");
}

function checkProductionNames(r: Reader, c: Config): void {
  const host = c.hostname;
  if (!host || host === "localhost" || isIP(host.replace(/^\[|\]$/g, ""))) {
    r.problems.push(`PDS_HOSTNAME must be a public domain name (got "${host || ""}")`);
  }
  if (!c.serviceUrl.startsWith("https://")) r.problems.push(`PDS_SERVICE_URL must use https (got "${c.serviceUrl}")`);
  const tld = c.handleDomain.split(".").pop() ?? "";
  if (DISALLOWED_TLDS.includes(tld)) r.problems.push(`HANDLE_DOMAIN may not be under .${tld}`);
  else if (!DOMAIN_RE.test(c.handleDomain)) r.problems.push(`HANDLE_DOMAIN is not a valid domain (got "${c.handleDomain}")`);
  if (!c.plcUrl.startsWith("https://")) r.problems.push(`PLC_URL must use https (got "${c.plcUrl}")`);
}

function validUrl(r: Reader, name: string, value: string): string {
  try {
    new URL(value);
  } catch {
    r.problems.push(`${name} is not a valid URL (got "${value}")`);
  }
  return value.replace(/\/+$/, "");
}

export function buildConfig(raw: RawConfig, opts: BuildOptions = {}): { config: Config; secrets: Secrets; problems: string[] } {
  const r = new Reader(raw);
  const dev = opts.dev ?? false;
  const env = modeFrom(r, dev);
  const production = env === "production";
  const cwd = opts.cwd ?? process.cwd();

  const port = r.int("PORT", 8080, 0, 65535);
  const host = r.str("HOST", "127.0.0.1");
  const hostname = r.str("PDS_HOSTNAME", production ? "" : "localhost").toLowerCase();
  const serviceUrl = validUrl(r, "PDS_SERVICE_URL", r.str("PDS_SERVICE_URL", production ? `https://${hostname || "invalid"}` : `http://localhost:${port}`));
  const plcPort = r.int("PLC_PORT", 2582, 0, 65535);
  const explicitPlcUrl = r.str("PLC_URL");
  const plcUrl = validUrl(r, "PLC_URL", explicitPlcUrl ?? (dev ? `http://localhost:${plcPort}` : "https://plc.directory"));
  const dataDir = resolve(cwd, r.str("DATA_DIR", dev ? "./.ofpds-dev" : envPaths("ofpds", { suffix: "" }).data));

  const bootstrapEmail = r.str("BOOTSTRAP_ADMIN_EMAIL");
  const bootstrapHandle = r.str("BOOTSTRAP_ADMIN_HANDLE");
  const bootstrapPassword = r.str("BOOTSTRAP_ADMIN_PASSWORD");
  const bootstrapSet = [bootstrapEmail, bootstrapHandle, bootstrapPassword].filter(Boolean).length;
  if (bootstrapSet > 0 && bootstrapSet < 3) r.problems.push("BOOTSTRAP_ADMIN_EMAIL, BOOTSTRAP_ADMIN_HANDLE and BOOTSTRAP_ADMIN_PASSWORD must be set together");

  const dbHost = r.str("DB_HOST");
  let databaseUrl = r.str("DATABASE_URL");
  if (!databaseUrl && dbHost) {
    const user = encodeURIComponent(r.str("DB_USER", "ofpds"));
    const pass = r.str("DB_PASSWORD") ? `:${encodeURIComponent(r.str("DB_PASSWORD")!)}` : "";
    databaseUrl = `postgres://${user}${pass}@${dbHost}:${r.int("DB_PORT", 5432, 1, 65535)}/${encodeURIComponent(r.str("DB_NAME", "ofpds"))}`;
  }
  if (databaseUrl && !/^postgres(ql)?:\/\/[^/]/.test(databaseUrl)) r.problems.push("DATABASE_URL must be a postgres:// or postgresql:// URL");
  const clusterMode = r.bool("CLUSTER_MODE", false);
  // several processes on one SQLite file would each think they are the only writer
  if (clusterMode && !databaseUrl) r.problems.push("CLUSTER_MODE=true needs PostgreSQL (DATABASE_URL or DB_HOST): several serve processes cannot share one SQLite file");
  // the embedded directory is one process's SQLite file: a cluster names a real one
  if (clusterMode && dev && explicitPlcUrl === undefined) r.problems.push("CLUSTER_MODE=true does not start the embedded PLC directory: set PLC_URL to a did:plc directory (e.g. one `ofpds plc`)");
  const database = databaseUrl
    ? {
        url: databaseUrl,
        ssl: r.bool("DB_SSL", false),
        sslRejectUnauthorized: r.bool("DB_SSL_REJECT_UNAUTHORIZED", true),
        poolMax: r.int("DB_POOL_MAX", 10, 1, 1000),
        connectTimeoutMs: r.duration("DB_CONNECT_TIMEOUT", "30s", 1000, 600_000, "1s and 10m"),
      }
    : undefined;

  const secrets: Secrets = {
    authJwtSecret: r.str("AUTH_JWT_SECRET", ""),
    keyEncryptionSecret: r.str("KEY_ENCRYPTION_SECRET", ""),
    bootstrapAdmin: bootstrapSet === 3 ? { email: bootstrapEmail!, handle: bootstrapHandle!, password: bootstrapPassword! } : undefined,
    smtpUrl: r.str("SMTP_URL"),
  };

  const config: Config = {
    env,
    dev,
    version: VERSION,
    hostname,
    serviceUrl,
    serviceDid: serviceDidFor(serviceUrl.startsWith("http") ? serviceUrl : "https://invalid"),
    handleDomain: r.str("HANDLE_DOMAIN", dev ? "test" : hostname).toLowerCase(),
    port,
    host,
    dataDir,
    blobDir: r.str("BLOB_DIR") ? resolve(cwd, r.str("BLOB_DIR")!) : resolve(dataDir, "blobs"),
    // snapshots follow the blobs onto a shared BLOB_DIR; without one they stay where they always were
    exportsDir: r.str("BLOB_DIR") ? resolve(cwd, r.str("BLOB_DIR")!, "exports") : resolve(dataDir, "exports"),
    databaseUrl,
    database,
    clusterMode,
    trustProxy: r.int("TRUST_PROXY", 0, 0, 10),
    inviteRequired: r.bool("INVITE_REQUIRED", true),
    approvalRequired: r.bool("APPROVAL_REQUIRED", true),
    partnerApiEnabled: r.bool("PARTNER_API_ENABLED", true),
    partnerDefaultRateLimit: r.int("PARTNER_DEFAULT_RATE_LIMIT", 100, 1, 10_000),
    accessTokenTtlMs: r.duration("ACCESS_TOKEN_TTL", "15m", 60_000, 86_400_000, "1m and 24h"),
    refreshTokenTtlMs: r.duration("REFRESH_TOKEN_TTL", "30d", 3_600_000, 365 * 86_400_000, "1h and 365d"),
    oauthAccessTokenTtlMs: r.duration("OAUTH_ACCESS_TOKEN_TTL", "15m", 5 * 60_000, 30 * 60_000, "5m and 30m"),
    oauthLoopbackClients: r.bool("OAUTH_LOOPBACK_CLIENTS", true),
    corsOrigins: r.list("CORS_ORIGINS", dev ? ["http://localhost:3001"] : []),
    plcUrl,
    plcFallbackUrl: validUrl(r, "PLC_FALLBACK_URL", r.str("PLC_FALLBACK_URL", "https://plc.directory")),
    plcPort,
    plcHost: r.str("PLC_HOST", "127.0.0.1"),
    plcEmbedded: dev && explicitPlcUrl === undefined,
    plcRateLimitsEnabled: r.bool("PLC_RATE_LIMITS_ENABLED", true),
    allowPrivateNetworkFetch: r.bool("ALLOW_PRIVATE_NETWORK_FETCH", dev),
    crawlers: r.list("CRAWLERS", dev ? [] : ["https://bsky.network"]),
    rateLimits: {
      enabled: r.bool("RATE_LIMITS_ENABLED", true),
      global: r.int("GLOBAL_RATE_LIMIT", 120, 1, 1_000_000),
      auth: r.int("AUTH_RATE_LIMIT", 20, 1, 1_000_000),
      registration: r.int("REGISTRATION_RATE_LIMIT", 5, 1, 1_000_000),
      create: r.int("CREATE_RATE_LIMIT", 10, 1, 1_000_000),
      discovery: r.int("DISCOVERY_RATE_LIMIT", 60, 1, 1_000_000),
      proxy: r.int("PROXY_RATE_LIMIT", 3000, 1, 1_000_000),
      exemptCidrs: r.list("RATE_LIMIT_EXEMPT_CIDRS", dev ? ["127.0.0.0/8", "::1/128"] : []),
    },
    blobMaxBytes: r.int("BLOB_MAX_BYTES", 52_428_800, 1, 2 ** 40),
    blobTempTtlHours: r.int("BLOB_TEMP_TTL_HOURS", 6, 1, 24 * 30),
    blobGcIntervalMs: r.int("BLOB_GC_INTERVAL_MS", 3_600_000, 100, 86_400_000),
    exportSchedulerEnabled: r.bool("EXPORT_SCHEDULER_ENABLED", true),
    exportCheckIntervalMs: r.int("EXPORT_CHECK_INTERVAL_MS", 300_000, 1000, 86_400_000),
    takedownExportGraceDays: r.int("TAKEDOWN_EXPORT_GRACE_DAYS", 14, 0, 3650),
    remoteMembersEnabled: r.bool("REMOTE_MEMBERS_ENABLED", true),
    devResolver: {
      dnsServer: dev ? r.str("OFPDS_DEV_DNS_SERVER") : undefined,
      wellKnownPort: dev && r.str("OFPDS_DEV_WELLKNOWN_PORT") ? r.int("OFPDS_DEV_WELLKNOWN_PORT", 0, 1, 65535) : undefined,
    },
    devClockFile: dev ? r.str("OFPDS_DEV_CLOCK_FILE") : undefined,
    firehoseBackfillHours: r.int("FIREHOSE_BACKFILL_HOURS", 72, 1, 24 * 365),
    firehoseMaxBuffer: r.int("FIREHOSE_MAX_BUFFER", 500, 10, 1_000_000),
    importMaxBytes: r.int("IMPORT_MAX_BYTES", 104_857_600, 1, 2 ** 40),
    proxy: proxyConfig(r, dev, production),
    mail: mailConfig(r, secrets.smtpUrl, dev, hostname),
    httpIdleTimeoutSec: r.int("HTTP_IDLE_TIMEOUT", 30, 1, 255),
    privacyPolicyUrl: r.str("PRIVACY_POLICY_URL"),
    termsOfServiceUrl: r.str("TERMS_OF_SERVICE_URL"),
    contactEmail: r.str("CONTACT_EMAIL"),
    logLevel: r.oneOf("LOG_LEVEL", ["debug", "info", "warn", "error"] as const, "info"),
    logFormat: r.oneOf("LOG_FORMAT", ["pretty", "json"] as const, process.stderr.isTTY ? "pretty" : "json"),
  };

  checkSecrets(r, secrets, production);
  if (production) checkProductionNames(r, config);
  return { config, secrets, problems: r.problems };
}
