// Health check (spec 09 §5): 200 {version}, or 503 when the database does not answer within 1 s or on shutdown.
import type { AppContext } from "../context.ts";
import { jsonResponse } from "./errors.ts";

export const HEALTH_PING_MAX_MS = 1000;

/** The ping's answer, or false once `ms` pass without one (a hung database connection must not hang the check). */
async function pingWithin(ctx: AppContext, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([ctx.db.ping().catch(() => false), late]);
  } finally {
    clearTimeout(timer);
  }
}

export async function healthResponse(ctx: AppContext): Promise<Response> {
  const version = ctx.config.version;
  let healthy = !ctx.lifecycle.shuttingDown;
  if (healthy) {
    const t0 = performance.now();
    try {
      healthy = (await pingWithin(ctx, HEALTH_PING_MAX_MS)) === true && performance.now() - t0 <= HEALTH_PING_MAX_MS;
    } catch {
      healthy = false;
    }
  }
  // The 503 body is the shape the spec fixes for load balancers: {version, error}, no message.
  return healthy ? jsonResponse(200, { version }) : jsonResponse(503, { version, error: "Service Unavailable" });
}
