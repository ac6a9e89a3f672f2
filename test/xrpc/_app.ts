// Test support for the XRPC core: start buildXrpcApp on a loopback port with a hand-built context.
import type { LexiconDoc } from "@atproto/lexicon";
import type { Config, Secrets } from "../../src/config/types.ts";
import type { Services } from "../../src/services.ts";
import type { AppContext } from "../../src/context.ts";
import type { Database } from "../../src/db/database.ts";
import { createLogger } from "../../src/util/logger.ts";
import { buildXrpcApp } from "../../src/xrpc/app.ts";
import { ROUTES } from "../../src/xrpc/routes.ts";
import type { RouteEntry } from "../../src/xrpc/types.ts";

export function testConfig(overrides: Partial<Config> = {}): Config {
  const base: Config = {
    env: "test",
    dev: true,
    version: "0.0.0-test",
    hostname: "pds.test.example",
    serviceUrl: "https://pds.test.example",
    serviceDid: "did:web:pds.test.example",
    handleDomain: "pds.test.example",
    port: 0,
    host: "127.0.0.1",
    dataDir: "/nonexistent",
    blobDir: "/nonexistent/blobs",
    exportsDir: "/nonexistent/exports",
    databaseUrl: undefined,
    database: undefined,
    clusterMode: false,
    trustProxy: 0,
    inviteRequired: true,
    approvalRequired: false,
    partnerApiEnabled: true,
    partnerDefaultRateLimit: 100,
    accessTokenTtlMs: 3_600_000,
    refreshTokenTtlMs: 86_400_000,
    corsOrigins: ["http://localhost:3001"],
    plcUrl: "http://127.0.0.1:1",
    plcFallbackUrl: "",
    plcPort: 0,
    plcHost: "127.0.0.1",
    plcEmbedded: false,
    plcRateLimitsEnabled: false,
    allowPrivateNetworkFetch: true,
    crawlers: [],
    rateLimits: { enabled: false, global: 120, auth: 20, registration: 5, create: 10, discovery: 60, proxy: 3000, exemptCidrs: [] },
    mail: { mode: "none", from: "" },
    blobMaxBytes: 50 * 1024 * 1024,
    blobTempTtlHours: 6,
    blobGcIntervalMs: 3_600_000,
    exportSchedulerEnabled: false,
    exportCheckIntervalMs: 300_000,
    takedownExportGraceDays: 14,
    remoteMembersEnabled: true,
    devResolver: { dnsServer: undefined, wellKnownPort: undefined },
    firehoseBackfillHours: 72,
    firehoseMaxBuffer: 500,
    importMaxBytes: 100 * 1024 * 1024,
    proxy: { appView: undefined, chat: undefined, reportService: undefined, audFragment: false, limits: { headersTimeoutMs: 10_000, bodyIdleMs: 30_000, maxResponseBytes: 10 * 1024 * 1024 } },
    httpIdleTimeoutSec: 30,
    privacyPolicyUrl: undefined,
    termsOfServiceUrl: undefined,
    contactEmail: undefined,
    logLevel: "debug",
    logFormat: "json",
  };
  return { ...base, ...overrides, rateLimits: { ...base.rateLimits, ...overrides.rateLimits } };
}

const secrets: Secrets = { authJwtSecret: "x".repeat(32), keyEncryptionSecret: "y".repeat(32), bootstrapAdmin: undefined };

export interface TestApp {
  url: string;
  ctx: AppContext;
  /** JSON log lines written so far */
  logs: Array<Record<string, unknown>>;
  /** raw log text */
  logText(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  config?: Partial<Config>;
  routes?: RouteEntry[];
  lexicons?: LexiconDoc[];
  ping?: () => boolean | Promise<boolean>;
}

export async function startApp(opts: StartOptions = {}): Promise<TestApp> {
  const lines: string[] = [];
  const logger = createLogger({ level: "debug", format: "json", write: (l) => lines.push(l) });
  // The only fake: a database whose ping() we control (the health check's sole dependency).
  const ping = opts.ping ?? (() => true);
  const db = { ping: async () => ping() } as unknown as Database;
  const ctx: AppContext = { config: testConfig(opts.config), secrets, logger, db, lifecycle: { shuttingDown: false }, services: {} as Services };
  const app = buildXrpcApp(ctx, { routes: opts.routes ?? ROUTES, lexicons: opts.lexicons });
  app.listen({ port: 0, hostname: "127.0.0.1" });
  const url = `http://127.0.0.1:${app.server!.port}`;
  return {
    url,
    ctx,
    get logs() {
      return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    logText: () => lines.join("\n"),
    stop: async () => {
      await app.stop(true);
    },
  };
}

/** Assert-friendly view of an error body: exactly string `error` and `message`. */
export async function errorBody(res: Response): Promise<{ error: string; message: string; keys: string[] }> {
  const body = (await res.json()) as Record<string, unknown>;
  return { error: body.error as string, message: body.message as string, keys: Object.keys(body).sort() };
}
