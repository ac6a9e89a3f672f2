// The typed configuration objects: Config (safe to show) and Secrets (never logged or returned).

export type OfpdsEnv = "production" | "development" | "test";

export interface RateLimitConfig {
  enabled: boolean;
  /** requests per 60 s per IP, all methods */
  global: number;
  /** per 15 min per IP: createSession, refreshSession, … */
  auth: number;
  /** per 60 min per IP: account.register, … */
  registration: number;
  /** per 60 min per IP: community.create, invite.create, … */
  create: number;
  /** per 60 s per IP: resolveHandle, … */
  discovery: number;
  /** PROXY_RATE_LIMIT: proxied requests per 5 min per ACCOUNT (10 §1.5), instead of the global IP limiter */
  proxy: number;
  /** CIDRs exempt from the IP limiters (dev: loopback) */
  exemptCidrs: string[];
}

/** A service ofpds proxies to (10 §1, §9): its URL (operator input, never address-checked) and DID. */
export interface ProxyServiceConfig {
  url: string;
  did: string;
}

/** Service proxying (10 §1.5, §9); `limits` are the spec's fixed values unless OFPDS_DEV_PROXY_LIMITS overrides them in --dev. */
export interface ProxyConfig {
  appView: ProxyServiceConfig | undefined;
  chat: ProxyServiceConfig | undefined;
  reportService: ProxyServiceConfig | undefined;
  /** PROXY_AUD_FRAGMENT: the service JWT's aud is `<did>#<serviceId>` instead of the bare DID */
  audFragment: boolean;
  limits: { headersTimeoutMs: number; bodyIdleMs: number; maxResponseBytes: number };
}

/** The mailer (10 §5.1): SMTP (SMTP_URL in Secrets), --dev's .eml files under <dataDir>/mail, or none (501 on mail methods). */
export interface MailConfig {
  mode: "smtp" | "files" | "none";
  /** EMAIL_FROM (a default in --dev without SMTP_URL) */
  from: string;
  /** the SMTP host, for getConfig and logs (never the URL: it may hold credentials) */
  smtpHost?: string | undefined;
}

export interface Config {
  env: OfpdsEnv;
  dev: boolean;
  version: string;
  hostname: string;
  serviceUrl: string;
  /** did:web:<hostname>[%3A<port>] */
  serviceDid: string;
  handleDomain: string;
  port: number;
  host: string;
  dataDir: string;
  /** blobs and export snapshots (BLOB_DIR, default <dataDir>/blobs): a shared volume in cluster mode */
  blobDir: string;
  /** export snapshots: <BLOB_DIR>/exports when BLOB_DIR is set, else <dataDir>/exports */
  exportsDir: string;
  /** undefined = embedded SQLite at <dataDir>/ofpds.sqlite (a secret: it may hold the password) */
  databaseUrl: string | undefined;
  /** the PostgreSQL connection (DATABASE_URL or DB_*), undefined on SQLite */
  database: { url: string; ssl: boolean; sslRejectUnauthorized: boolean; poolMax: number; connectTimeoutMs: number } | undefined;
  /** CLUSTER_MODE: several serve processes share one PostgreSQL and one BLOB_DIR */
  clusterMode: boolean;
  trustProxy: number;
  inviteRequired: boolean;
  approvalRequired: boolean;
  /** partner.register answers 403 PartnerApiDisabled when false (PARTNER_API_ENABLED, 06 §7) */
  partnerApiEnabled: boolean;
  /** rateLimitPerHour of a new partner key when createKey names none (PARTNER_DEFAULT_RATE_LIMIT, 1-10000) */
  partnerDefaultRateLimit: number;
  accessTokenTtlMs: number;
  refreshTokenTtlMs: number;
  /** OAuth access-token lifetime (OAUTH_ACCESS_TOKEN_TTL, 5m-30m, default 15m; 11 §10) and OAUTH_LOOPBACK_CLIENTS (default true) */
  oauthAccessTokenTtlMs?: number;
  oauthLoopbackClients?: boolean;
  corsOrigins: string[];
  plcUrl: string;
  plcFallbackUrl: string;
  plcPort: number;
  plcHost: string;
  /** true when `serve --dev` must start the embedded PLC directory */
  plcEmbedded: boolean;
  plcRateLimitsEnabled: boolean;
  allowPrivateNetworkFetch: boolean;
  crawlers: string[];
  rateLimits: RateLimitConfig;
  /** the mailer (SMTP_URL, EMAIL_FROM; 10 §5.1) */
  mail: MailConfig;
  blobMaxBytes: number;
  /** temporary (unreferenced) blobs older than this are deleted */
  blobTempTtlHours: number;
  /** an admin may take down or delete a community without an owner export after it was suspended this long (06 §2) */
  takedownExportGraceDays: number;
  /** accounts on other servers may call community methods with service auth (04 §9; REMOTE_MEMBERS_ENABLED) */
  remoteMembersEnabled: boolean;
  /** how often the blob garbage collector runs (BLOB_GC_INTERVAL_MS, default 1 h) */
  blobGcIntervalMs: number;
  /** the export scheduler runs (EXPORT_SCHEDULER_ENABLED, 06 §10) every exportCheckIntervalMs (EXPORT_CHECK_INTERVAL_MS) and once at start */
  exportSchedulerEnabled: boolean;
  exportCheckIntervalMs: number;
  /**
   * Development-only hooks so test suites can serve remote handles on loopback; ignored unless `dev`:
   * OFPDS_DEV_DNS_SERVER (host:port for TXT/address lookups), OFPDS_DEV_WELLKNOWN_PORT.
   */
  devResolver: { dnsServer: string | undefined; wellKnownPort: number | undefined };
  /**
   * Development-only test clock, ignored unless `dev` (OFPDS_DEV_CLOCK_FILE): the server's time is the wall clock
   * plus the millisecond offset written in this file, re-read on every reading, so a suite can make time pass.
   */
  devClockFile?: string | undefined;
  /** firehose events older than this are pruned; cursors older than it get #info OutdatedCursor */
  firehoseBackfillHours: number;
  /** events queued for one subscriber before it is cut off with ConsumerTooSlow */
  firehoseMaxBuffer: number;
  importMaxBytes: number;
  /** service proxying to an AppView, chat and report service (10 §1) */
  proxy: ProxyConfig;
  /** seconds a connection may send nothing (a stalled body, an idle keep-alive) before the server closes it */
  httpIdleTimeoutSec: number;
  privacyPolicyUrl: string | undefined;
  termsOfServiceUrl: string | undefined;
  contactEmail: string | undefined;
  logLevel: "debug" | "info" | "warn" | "error";
  logFormat: "pretty" | "json";
}

export interface Secrets {
  authJwtSecret: string;
  keyEncryptionSecret: string;
  bootstrapAdmin: { email: string; handle: string; password: string } | undefined;
  /** SMTP_URL (or SMTP_URL_FILE): may carry the SMTP credentials */
  smtpUrl?: string | undefined;
}
