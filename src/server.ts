// createServer: start a PDS for a loaded config (lock → database → embedded PLC → HTTP) and stop it gracefully.
import { join } from "node:path";
import { openDatabase } from "./migrations.ts";
import type { Config, Secrets } from "./config/types.ts";
import type { AppContext } from "./context.ts";
import { Database } from "./db/database.ts";
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
    db = openDatabase({ dataDir: config.dataDir });
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
    const app = buildXrpcApp(ctx);
    // reusePort must stay off (Elysia turns it on by default): with SO_REUSEPORT a second server on the same
    // port would start "successfully" and the kernel would split connections between the two.
    // idleTimeout: a client that stalls mid-body (or idles on keep-alive) is closed after HTTP_IDLE_TIMEOUT
    // seconds instead of holding a connection and a request slot forever.
    app.listen({ port: config.port, hostname: config.host, reusePort: false, idleTimeout: config.httpIdleTimeoutSec });
    const server = app.server!;
    services.jobs.start();
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
