// startPlcServer: Bun.serve in front of the Elysia app (CORS, OPTIONS, per-IP limits, WebSocket stream).
import type { Server } from "bun";
import { silentLogger, type Logger } from "../src/util/logger.ts";
import { createPlcApp } from "./http/app.ts";
import type { PlcHttpContext } from "./http/context.ts";
import { clientIp, createWindowLimiter, GET_LIMIT, isLoopback, POST_LIMIT } from "./http/rate-limit.ts";
import { message, withCors, CORS_HEADERS } from "./http/respond.ts";
import { StreamHub } from "./http/stream.ts";
import { createMemoryDidLock } from "./store/lock.ts";
import { PlcStore } from "./store/store.ts";
import { PlcWriter } from "./store/writer.ts";
import { acquireVerifyPool, releaseVerifyPool } from "./ops/verify-pool.ts";

export interface PlcServerOptions {
  port: number;
  host: string;
  dbPath: string;
  rateLimitsEnabled: boolean;
  trustProxy: number;
  dev: boolean;
  version: string;
  /** verify secp256k1 signatures on worker threads (default true); the PDS's embedded dev directory saves the memory */
  verifyWorkers?: boolean;
  logger?: Logger;
}

export interface PlcServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startPlcServer(opts: PlcServerOptions): Promise<PlcServer> {
  const logger = opts.logger ?? silentLogger;
  const store = PlcStore.open(opts.dbPath);
  const workers = opts.verifyWorkers ?? true;
  if (workers) {
    acquireVerifyPool({
      onUnavailable: (reason) => logger.warn("signature worker unavailable; verifying on the main thread (slower)", { reason }),
    });
  }
  const hub = new StreamHub(store, logger);
  const writer = new PlcWriter(store, createMemoryDidLock(), (op) => hub.publish(op));
  const ctx: PlcHttpContext = { store, writer, hub, logger, version: opts.version, requestInfo: new WeakMap() };
  const app = createPlcApp(ctx);
  const getLimiter = createWindowLimiter(GET_LIMIT.max, GET_LIMIT.windowMs);
  const postLimiter = createWindowLimiter(POST_LIMIT.max, POST_LIMIT.windowMs);

  const fetch = async (request: Request, server: Server<any>): Promise<Response | undefined> => {
    if (request.method === "OPTIONS") return new Response(null, { status: 204, headers: CORS_HEADERS });
    const ip = clientIp(server.requestIP(request)?.address ?? "", request.headers.get("x-forwarded-for"), opts.trustProxy);
    const limited = opts.rateLimitsEnabled && !(opts.dev && isLoopback(ip));
    let postOverLimit = false;
    if (limited) {
      if (request.method === "POST") postOverLimit = !postLimiter.hit(ip);
      else if (!getLimiter.hit(ip)) return withCors(message(429, "Too many requests, please slow down"));
    }
    const pathStart = request.url.indexOf("/", request.url.indexOf("//") + 2);
    if (request.url.startsWith("/export/stream", pathStart) && /^\/export\/stream(\?|$)/.test(request.url.slice(pathStart)))
      return hub.upgrade(request, server);
    ctx.requestInfo.set(request, { ip, postOverLimit });
    try {
      return withCors(await app.fetch(request));
    } catch (err) {
      logger.error("plc dispatch failed", { err: String(err) });
      return withCors(message(500, "Internal Server Error"));
    }
  };

  const server = Bun.serve({
    port: opts.port,
    hostname: opts.host,
    fetch,
    websocket: hub.handlers,
    // Never SO_REUSEPORT: a second directory on a used port must fail with EADDRINUSE, not share the traffic.
    reusePort: false,
    // Backstop only: POST bodies are capped at 100 kB by the handler, which answers 413 itself.
    maxRequestBodySize: 1024 * 1024,
  });
  const port = server.port!;
  const host = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
  const url = `http://${host}:${port}`;
  logger.info("plc directory listening", { url, db: opts.dbPath });

  let stopped = false;
  return {
    url,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      hub.closeAll();
      await server.stop(true);
      store.close();
      if (workers) releaseVerifyPool();
    },
  };
}
