// Every setting name ofpds knows (09 §2), so config-file typos and stray OFPDS_* variables are refused, not ignored.

/** Secrets that may also come from `<NAME>_FILE` or a systemd credential. */
export const SECRET_NAMES = [
  "AUTH_JWT_SECRET",
  "KEY_ENCRYPTION_SECRET",
  "DB_PASSWORD",
  "DATABASE_URL",
  "BOOTSTRAP_ADMIN_PASSWORD",
  "SMTP_URL",
] as const;

/** Settings the server reads. Config-file keys are these names in lower case. */
export const USED_SETTINGS = [
  "OFPDS_ENV", "NODE_ENV", "PDS_HOSTNAME", "PDS_SERVICE_URL", "HANDLE_DOMAIN", "PORT", "HOST", "DATA_DIR", "TRUST_PROXY",
  "AUTH_JWT_SECRET", "KEY_ENCRYPTION_SECRET", "DATABASE_URL", "DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD",
  "INVITE_REQUIRED", "APPROVAL_REQUIRED", "BOOTSTRAP_ADMIN_EMAIL", "BOOTSTRAP_ADMIN_HANDLE", "BOOTSTRAP_ADMIN_PASSWORD",
  "ACCESS_TOKEN_TTL", "REFRESH_TOKEN_TTL", "CORS_ORIGINS", "PLC_URL", "PLC_FALLBACK_URL", "PLC_PORT", "PLC_HOST",
  "PLC_RATE_LIMITS_ENABLED", "ALLOW_PRIVATE_NETWORK_FETCH", "CRAWLERS", "FIREHOSE_BACKFILL_HOURS", "FIREHOSE_MAX_BUFFER",
  "BLOB_MAX_BYTES", "BLOB_TEMP_TTL_HOURS", "BLOB_GC_INTERVAL_MS", "IMPORT_MAX_BYTES", "HTTP_IDLE_TIMEOUT", "RATE_LIMITS_ENABLED",
  "GLOBAL_RATE_LIMIT", "AUTH_RATE_LIMIT", "REGISTRATION_RATE_LIMIT", "CREATE_RATE_LIMIT", "DISCOVERY_RATE_LIMIT",
  "RATE_LIMIT_EXEMPT_CIDRS", "REMOTE_MEMBERS_ENABLED", "TAKEDOWN_EXPORT_GRACE_DAYS", "PRIVACY_POLICY_URL",
  "TERMS_OF_SERVICE_URL", "CONTACT_EMAIL", "OFPDS_DEV_DNS_SERVER", "OFPDS_DEV_WELLKNOWN_PORT", "OFPDS_DEV_CLOCK_FILE",
  "LOG_LEVEL", "LOG_FORMAT", "EXPORT_SCHEDULER_ENABLED", "EXPORT_CHECK_INTERVAL_MS",
  "BSKY_APP_VIEW_URL", "BSKY_APP_VIEW_DID", "BSKY_CHAT_URL", "BSKY_CHAT_DID", "REPORT_SERVICE_URL", "REPORT_SERVICE_DID",
  "PROXY_AUD_FRAGMENT", "PROXY_RATE_LIMIT", "OFPDS_DEV_PROXY_LIMITS",
  "SMTP_URL", "EMAIL_FROM",
  "OAUTH_ACCESS_TOKEN_TTL", "OAUTH_LOOPBACK_CLIENTS", // 11 §10 (src/oauth)
  "DB_SSL", "DB_SSL_REJECT_UNAUTHORIZED", "DB_POOL_MAX", "DB_CONNECT_TIMEOUT", "CLUSTER_MODE", "BLOB_DIR", // 09 §2, src/db/postgres.ts
] as const;

/**
 * Settings of the spec that this version accepts but does not act on yet (the features behind them are not
 * built): they are not typos, so they are not refused, but `serve` warns that they have no effect.
 */
export const NOT_YET_USED_SETTINGS = [
  "PARTNER_API_ENABLED", "PARTNER_DEFAULT_RATE_LIMIT",
  "TRANSFER_RETENTION_DAYS", "AUDIT_RETENTION_DAYS",
  "OAUTH_TRUSTED_CLIENTS",
] as const;

/** The CLI's own variables (08 §1) and the test harness's; known, but not server settings. */
const CLI_VARIABLES = ["OFPDS_SERVER", "OFPDS_CONFIG", "OFPDS_NO_COLOR", "OFPDS_DEBUG", "OFPDS_BIN"];

/** Names a config file may hold: every setting plus `<SECRET>_FILE`. */
export const CONFIG_FILE_NAMES: ReadonlySet<string> = new Set([
  ...USED_SETTINGS,
  ...NOT_YET_USED_SETTINGS,
  ...SECRET_NAMES.map((n) => `${n}_FILE`),
  "SMTP_URL_FILE",
]);

/** Names an `OFPDS_*` environment variable may have. */
export const OFPDS_ENV_NAMES: ReadonlySet<string> = new Set([...CONFIG_FILE_NAMES, ...CLI_VARIABLES].filter((n) => n.startsWith("OFPDS_")));
