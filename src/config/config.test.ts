// Unit tests for the config stages: precedence, secret files, permissions, production refusals.
import { describe, expect, test } from "bun:test";
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "./index.ts";
import { buildConfig, parseDuration, serviceDidFor } from "./build.ts";
import { ConfigError } from "./errors.ts";
import { tempDirs } from "../../test/_support/process.ts";

const dir = tempDirs("ofpds-config-");

const STRONG = { AUTH_JWT_SECRET: "a".repeat(40), KEY_ENCRYPTION_SECRET: "b".repeat(40) };
const PROD = { ...STRONG, PDS_HOSTNAME: "pds.example.org" };

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe("precedence: flags > env > .env > config file > defaults", () => {
  const cwd = dir();
  const configPath = join(cwd, "config.toml");
  writeFileSync(configPath, 'port = 1001\nhost = "10.0.0.1"\npds_hostname = "file.example.org"\nhandle_domain = "file.example.org"\n', { mode: 0o600 });
  writeFileSync(join(cwd, ".env"), "PORT=1002\nHOST=10.0.0.2\nPDS_HOSTNAME=dotenv.example.org\n", { mode: 0o600 });
  const env = { ...STRONG, PORT: "1003", HOST: "10.0.0.3" };

  test("flag beats env", () => {
    const { config } = loadConfig({ cwd, configPath, env, flags: { PORT: "1004" } });
    expect(config.port).toBe(1004);
  });
  test("env beats .env", () => {
    expect(loadConfig({ cwd, configPath, env }).config.port).toBe(1003);
  });
  test(".env beats config file", () => {
    expect(loadConfig({ cwd, configPath, env: STRONG }).config.hostname).toBe("dotenv.example.org");
  });
  test("config file beats defaults", () => {
    const bare = dir();
    writeFileSync(join(bare, "config.toml"), 'pds_hostname = "file.example.org"\n');
    const { config } = loadConfig({ cwd: bare, configPath: join(bare, "config.toml"), env: STRONG });
    expect(config.hostname).toBe("file.example.org");
    expect(config.handleDomain).toBe("file.example.org");
    expect(config.port).toBe(8080);
    expect(config.serviceUrl).toBe("https://file.example.org");
  });
  test("--env-file replaces ./.env", () => {
    const other = join(cwd, "other.env");
    writeFileSync(other, "PDS_HOSTNAME=other.example.org\n");
    expect(loadConfig({ cwd, configPath, env: STRONG, envFile: other }).config.hostname).toBe("other.example.org");
  });
});

describe("secret files", () => {
  test("<NAME>_FILE is read and trimmed", () => {
    const d = dir();
    writeFileSync(join(d, "jwt"), "j".repeat(40) + "\n", { mode: 0o600 });
    writeFileSync(join(d, "kek"), "k".repeat(40) + "\n", { mode: 0o600 });
    const env = { PDS_HOSTNAME: "pds.example.org", AUTH_JWT_SECRET_FILE: join(d, "jwt"), KEY_ENCRYPTION_SECRET_FILE: join(d, "kek"), OFPDS_CONFIG: join(d, "none.toml") };
    const { secrets } = loadConfig({ cwd: d, env });
    expect(secrets.authJwtSecret).toBe("j".repeat(40));
    expect(secrets.keyEncryptionSecret).toBe("k".repeat(40));
  });
  test("systemd credentials directory", () => {
    const d = dir();
    mkdirSync(join(d, "creds"));
    writeFileSync(join(d, "creds", "auth_jwt_secret"), "c".repeat(40));
    writeFileSync(join(d, "creds", "key_encryption_secret"), "e".repeat(40));
    const { secrets } = loadConfig({ cwd: d, env: { PDS_HOSTNAME: "pds.example.org", CREDENTIALS_DIRECTORY: join(d, "creds"), OFPDS_CONFIG: join(d, "none.toml") } });
    expect(secrets.authJwtSecret).toBe("c".repeat(40));
  });
  test("a secret file readable by others is refused", () => {
    const d = dir();
    writeFileSync(join(d, "jwt"), "j".repeat(40), { mode: 0o644 });
    const problems = problemsOf(() => loadConfig({ cwd: d, env: { ...PROD, AUTH_JWT_SECRET: "", AUTH_JWT_SECRET_FILE: join(d, "jwt"), OFPDS_CONFIG: join(d, "none.toml") } }));
    expect(problems.join()).toContain("readable by group or others");
  });
  test("a config file holding a secret with mode 0644 is refused", () => {
    const d = dir();
    writeFileSync(join(d, "config.toml"), `auth_jwt_secret = "${"x".repeat(40)}"\n`, { mode: 0o644 });
    const problems = problemsOf(() => loadConfig({ cwd: d, configPath: join(d, "config.toml"), env: { PDS_HOSTNAME: "pds.example.org" } }));
    expect(problems.join()).toContain("holds a secret but is readable by group or others");
  });
  test("a config file without secrets may be 0644", () => {
    const d = dir();
    writeFileSync(join(d, "config.toml"), 'pds_hostname = "pds.example.org"\n', { mode: 0o644 });
    expect(loadConfig({ cwd: d, configPath: join(d, "config.toml"), env: STRONG }).config.hostname).toBe("pds.example.org");
  });
});

describe("production refusals list every problem at once", () => {
  test("the spec's bad settings", () => {
    const problems = buildConfig({ AUTH_JWT_SECRET: "x".repeat(31), PDS_HOSTNAME: "localhost", HANDLE_DOMAIN: "test" }).problems;
    expect(problems).toEqual([
      "AUTH_JWT_SECRET must be at least 32 characters (got 31)",
      "KEY_ENCRYPTION_SECRET is missing (generate one with `openssl rand -base64 48`)",
      'PDS_HOSTNAME must be a public domain name (got "localhost")',
      "HANDLE_DOMAIN may not be under .test",
    ]);
  });
  test.each([
    [{ AUTH_JWT_SECRET: "change_me" }, "AUTH_JWT_SECRET is a placeholder value"],
    [{ AUTH_JWT_SECRET: "" }, "AUTH_JWT_SECRET is missing"],
    [{ KEY_ENCRYPTION_SECRET: "a".repeat(40) }, "KEY_ENCRYPTION_SECRET must differ from AUTH_JWT_SECRET"],
    [{ KEY_ENCRYPTION_SECRET: "short" }, "KEY_ENCRYPTION_SECRET must be at least 32 characters"],
    [{ PDS_HOSTNAME: "192.168.1.10" }, "PDS_HOSTNAME must be a public domain name"],
    [{ PDS_SERVICE_URL: "http://pds.example.org" }, "PDS_SERVICE_URL must use https"],
    [{ HANDLE_DOMAIN: "example.local" }, "HANDLE_DOMAIN may not be under .local"],
    [{ HANDLE_DOMAIN: "not a domain" }, "HANDLE_DOMAIN is not a valid domain"],
    [{ PLC_URL: "http://plc.example.org" }, "PLC_URL must use https"],
    [{ ACCESS_TOKEN_TTL: "30s" }, "ACCESS_TOKEN_TTL must be <int>[smhd] between 1m and 24h"],
    [{ REFRESH_TOKEN_TTL: "400d" }, "REFRESH_TOKEN_TTL must be <int>[smhd] between 1h and 365d"],
    [{ PORT: "99999" }, "PORT must be a whole number from 0 to 65535"],
  ])("%j → %s", (override, expected) => {
    const problems = buildConfig({ ...PROD, ...override } as Record<string, string>).problems;
    expect(problems.some((p) => p.startsWith(expected))).toBe(true);
  });
  test("a good production config has no problems", () => {
    expect(buildConfig(PROD).problems).toEqual([]);
  });
  test("the same bad settings start fine with --dev", () => {
    const { problems, config } = buildConfig({ AUTH_JWT_SECRET: "x".repeat(31), PDS_HOSTNAME: "localhost", HANDLE_DOMAIN: "test" }, { dev: true });
    expect(problems).toEqual([]);
    expect(config.env).toBe("development");
  });
});

describe("development defaults (09 §3)", () => {
  test("dev mode", () => {
    const { config } = buildConfig({}, { dev: true, cwd: "/srv/x" });
    expect(config).toMatchObject({
      hostname: "localhost",
      port: 8080,
      serviceUrl: "http://localhost:8080",
      serviceDid: "did:web:localhost%3A8080",
      handleDomain: "test",
      dataDir: "/srv/x/.ofpds-dev",
      plcUrl: "http://localhost:2582",
      plcEmbedded: true,
      corsOrigins: ["http://localhost:3001"],
      crawlers: [],
      allowPrivateNetworkFetch: true,
    });
    expect(config.rateLimits.exemptCidrs).toEqual(["127.0.0.0/8", "::1/128"]);
  });
  test("an explicit PLC_URL disables the embedded directory", () => {
    expect(buildConfig({ PLC_URL: "http://127.0.0.1:9999" }, { dev: true }).config.plcEmbedded).toBe(false);
  });
  test("generated dev secrets persist in secrets.json with mode 0600", async () => {
    const d = dir();
    const first = loadConfig({ dev: true, cwd: d, env: { DATA_DIR: d, OFPDS_CONFIG: join(d, "none.toml") } }).secrets;
    const second = loadConfig({ dev: true, cwd: d, env: { DATA_DIR: d, OFPDS_CONFIG: join(d, "none.toml") } }).secrets;
    expect(first.authJwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(second).toEqual(first);
    const { statSync } = await import("node:fs");
    expect(statSync(join(d, "secrets.json")).mode & 0o777).toBe(0o600);
  });
});

test("durations and service DIDs", () => {
  expect(parseDuration("15m")).toBe(900_000);
  expect(parseDuration("30d")).toBe(2_592_000_000);
  expect(parseDuration("15")).toBeUndefined();
  expect(serviceDidFor("https://pds.example.org")).toBe("did:web:pds.example.org");
  expect(serviceDidFor("http://localhost:8080")).toBe("did:web:localhost%3A8080");
});

describe("database settings (docs/database.md)", () => {
  test("DATABASE_URL, or DB_HOST and friends, select PostgreSQL with its TLS and pool settings", () => {
    const a = buildConfig({ ...PROD, DATABASE_URL: "postgres://u:p@db.internal:5433/pds", DB_SSL: "true", DB_POOL_MAX: "25" });
    expect(a.problems).toEqual([]);
    expect(a.config.database).toEqual({ url: "postgres://u:p@db.internal:5433/pds", ssl: true, sslRejectUnauthorized: true, poolMax: 25, connectTimeoutMs: 30_000 });
    const b = buildConfig({ ...PROD, DB_HOST: "db.internal", DB_USER: "pds", DB_PASSWORD: "p@ss word", DB_NAME: "ofpds" });
    expect(b.config.database?.url).toBe("postgres://pds:p%40ss%20word@db.internal:5432/ofpds");
    expect(buildConfig(PROD).config.database).toBeUndefined();
  });
  test("a non-postgres URL and CLUSTER_MODE without PostgreSQL are refused, without repeating the URL", () => {
    const bad = buildConfig({ ...PROD, DATABASE_URL: "mysql://u:secret-pw@h/db" }).problems;
    expect(bad).toEqual(["DATABASE_URL must be a postgres:// or postgresql:// URL"]);
    expect(buildConfig({ ...PROD, CLUSTER_MODE: "true" }).problems[0]).toContain("CLUSTER_MODE=true needs PostgreSQL");
    expect(buildConfig({ ...PROD, CLUSTER_MODE: "true", DATABASE_URL: "postgres://h/db" }).problems).toEqual([]);
  });
  test("BLOB_DIR moves the blobs and the export snapshots; without it both stay under DATA_DIR", () => {
    const d = buildConfig({ ...PROD, DATA_DIR: "/srv/ofpds" }).config;
    expect([d.blobDir, d.exportsDir]).toEqual(["/srv/ofpds/blobs", "/srv/ofpds/exports"]);
    const s = buildConfig({ ...PROD, DATA_DIR: "/srv/ofpds", BLOB_DIR: "/mnt/shared" }).config;
    expect([s.blobDir, s.exportsDir]).toEqual(["/mnt/shared", "/mnt/shared/exports"]);
  });
});
