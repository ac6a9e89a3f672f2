// createServer: start a PDS for a loaded config (lock → database → embedded PLC → HTTP) and stop it gracefully.
import { join } from "node:path";
import { openConfiguredDatabase } from "./migrations.ts";
import type { Config, Secrets } from "./config/types.ts";
import type { AppContext } from "./context.ts";
import type { Database } from "./db/database.ts";
import type { PostgresDatabase } from "./db/postgres.ts";
import { acquireDataDirLock, type DataDirLock } from "./db/lock.ts";
import { buildXrpcApp } from "./xrpc/app.ts";
import { createLogger, type Logger } from "./util/logger.ts";
import { buildServices } from "./services.ts";
import { runRestoreFollowUp } from "./operator/restore-followup.ts";
import type { PlcServer } from "../plc/index.ts";

/** How long in-flight requests may run after a shutdown signal (09 §5). */
export const SHUTDOWN_GRACE_MS = 10_000;

export interface RunningServer {
  url: string;
  port: number;
  ctx: AppContext;
  plc: PlcServer | undefined;
  stop(): Promise<void>;
}

export async function createServer(config: Config, secrets: Secrets, opts: { logger?: Logger } = {}): Promise<RunningServer> {
  const logger = opts.logger ?? createLogger({ level: config.logLevel, format: config.logFormat });
  const lock: DataDirLock = acquireDataDirLock(config.dataDir);
  let db: Database | undefined;
  let plc: PlcServer | undefined;
  let plcLock: DataDirLock | undefined;
  try {
    db = await openConfiguredDatabase(config);
    // cluster processes hold the owner lock shared, a lone server exclusively: neither kind can join the other
    const pg = db.dialect === "postgres" ? (db as PostgresDatabase) : undefined;
    if (pg && !(await pg.tryHoldLock("owner", config.serviceDid, config.clusterMode ? "shared" : "exclusive"))) {
      throw new DatabaseInUseError(db.location, config.serviceDid);
    }
    if (config.plcEmbedded) {
      // Same lock `ofpds plc` takes, so `plc import`/`plc verify` refuse to run while we own the directory.
      plcLock = acquireDataDirLock(config.dataDir, "plc.sqlite.lock");
      // Imported lazily: production servers use an external directory and never load this code.
      const { startPlcServer } = await import("../plc/index.ts");
      plc = await startPlcServer({
        port: config.plcPort,
        host: config.plcHost,
        dbPath: join(config.dataDir, "plc.sqlite"),
        rateLimitsEnabled: config.plcRateLimitsEnabled,
        trustProxy: config.trustProxy,
        dev: true,
        version: config.version,
        // One PDS's own registrations don't need off-thread verification; the worker's heap would dominate idle RSS.
        verifyWorkers: false,
        logger: logger.child({ component: "plc" }),
      });
      // The embedded directory may have been given port 0 (tests); point PLC_URL at where it really listens.
      config = { ...config, plcUrl: plc.url };
    }
    const services = await buildServices({ config, secrets, db, logger });
    await runRestoreFollowUp({ db, sequencer: services.sequencer, logger });
    const ctx: AppContext = { config, secrets, logger, db, lifecycle: { shuttingDown: false }, services };
    const app = buildXrpcApp(ctx, { rateLimitStore: services.counters("ip") });
    // reusePort must stay off (Elysia turns it on by default): with SO_REUSEPORT a second server on the same
    // port would start "successfully" and the kernel would split connections between the two.
    // idleTimeout: a client that stalls mid-body (or idles on keep-alive) is closed after HTTP_IDLE_TIMEOUT
    // seconds instead of holding a connection and a request slot forever.
    app.listen({ port: config.port, hostname: config.host, reusePort: false, idleTimeout: config.httpIdleTimeoutSec });
    const server = app.server!;
    let stopLeading = () => {};
    if (pg && config.clusterMode) stopLeading = startJobsWhenLeader(pg, config.serviceDid, () => services.jobs.start(), logger);
    else services.jobs.start();
    services.crawlers.start();
    const port = server.port!;
    const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;

    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        ctx.lifecycle.shuttingDown = true;
        // Firehose sockets would hold server.stop(false) open; they are closed with 1001 first (09 §5).
        services.firehose.shutdown();
        // stop(false) stops accepting and resolves once in-flight requests finish; force after the grace period.
        const graceful = server.stop(false);
        const timer = setTimeout(() => void server.stop(true), SHUTDOWN_GRACE_MS);
        await graceful;
        clearTimeout(timer);
        stopLeading();
        await services.jobs.stop();
        await plc?.stop();
        plcLock?.release();
        await ctx.db.close();
        lock.release();
      })());
    return { url, port, ctx, plc, stop };
  } catch (err) {
    await plc?.stop().catch(() => {});
    plcLock?.release();
    await db?.close().catch(() => {});
    lock.release();
    throw err;
  }
}

/** A second non-cluster server on a database another one is using: it would think it is the only writer. */
export class DatabaseInUseError extends Error {
  constructor(location: string, serviceDid: string) {
    super(`another ofpds server for ${serviceDid} is already using the database ${location}; stop it, or set CLUSTER_MODE=true on every server that shares it`);
    this.name = "DatabaseInUseError";
  }
}

/**
 * Cluster mode: background jobs (GC, pruning, schedulers, reconcilers) run on exactly one process, the holder of a
 * session advisory lock; the others retry, so a crashed leader's jobs move to another process within 15 s.
 */
function startJobsWhenLeader(db: PostgresDatabase, serviceDid: string, start: () => void, logger: Logger): () => void {
  const attempt = async () => {
    try {
      if (!(await db.tryHoldLock("jobs", serviceDid))) return;
      clearInterval(leaderTimer);
      logger.info("this process runs the background jobs (cluster leader)");
      start();
    } catch {
      // the database is away; the next attempt retries
    }
  };
  const leaderTimer = setInterval(() => void attempt(), 15_000);
  void attempt();
  return () => clearInterval(leaderTimer);
}
