// Identity test support: a migrated temp database, a real embedded PLC directory, and a log-capturing logger.
import { join } from "node:path";
import type { Database } from "../../src/db/database.ts";
import { openTestDatabase } from "../_support/db.ts";
import { createLogger, type Logger } from "../../src/util/logger.ts";
import { startPlcServer, type PlcServer } from "../../plc/index.ts";
import { tempDir } from "../_support/process.ts";

export const SECRET = "k".repeat(48);

export async function openDb(): Promise<{ db: Database; dir: string; cleanup(): Promise<void> }> {
  const d = tempDir("ofpds-identity-");
  const db = await openTestDatabase(d.path);
  return {
    db,
    dir: d.path,
    async cleanup() {
      await db.close();
      d.cleanup();
    },
  };
}

export async function startDirectory(): Promise<PlcServer & { cleanup(): Promise<void> }> {
  const d = tempDir("ofpds-identity-plc-");
  const plc = await startPlcServer({
    port: 0,
    host: "127.0.0.1",
    dbPath: join(d.path, "plc.sqlite"),
    rateLimitsEnabled: false,
    trustProxy: 0,
    dev: true,
    version: "test",
    verifyWorkers: false,
  });
  let stopped = false;
  return {
    ...plc,
    async stop() {
      if (stopped) return;
      stopped = true;
      await plc.stop();
    },
    async cleanup() {
      if (!stopped) await plc.stop();
      stopped = true;
      d.cleanup();
    },
  };
}

export function captureLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  return { logger: createLogger({ level: "debug", format: "json", write: (l) => lines.push(JSON.parse(l)) }), lines };
}
