// Test support: start the real `ofpds serve --dev` process (embedded PLC) on random loopback ports.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, spawnOfpds, tempDir, waitFor } from "./process.ts";

export interface RunningPds {
  url: string;
  plcUrl: string;
  port: number;
  dataDir: string;
  proc: ReturnType<typeof Bun.spawn>;
  /** stderr collected so far (logs) */
  logs(): string;
  /** Moves the server's clock (OFPDS_DEV_CLOCK_FILE) `ms` further ahead of the wall clock; takes effect on the next request. */
  advanceClock(ms: number): void;
  /** SIGTERM and wait; returns the exit code */
  stop(): Promise<number>;
}

export async function startPds(env: Record<string, string> = {}, opts: { dataDir?: string; args?: string[] } = {}): Promise<RunningPds> {
  const tmp = opts.dataDir ? undefined : tempDir("ofpds-pds-");
  const dataDir = opts.dataDir ?? tmp!.path;
  // The test clock's file has its own temp dir: a caller's data dir outlives this server.
  const clock = tempDir("ofpds-clock-");
  const clockFile = join(clock.path, "offset-ms");
  let offsetMs = 0;
  writeFileSync(clockFile, "0");
  const port = await freePort();
  const plcPort = await freePort();
  const { proc, logs } = spawnOfpds(["serve", "--dev", "--data-dir", dataDir, "--port", String(port), ...(opts.args ?? [])], { PLC_PORT: String(plcPort), OFPDS_DEV_CLOCK_FILE: clockFile, ...env });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => {
      if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}: ${logs()}`);
      return (await fetch(`${url}/xrpc/_health`)).ok;
    }, 30_000, "the PDS to answer /xrpc/_health");
  } catch (err) {
    proc.kill("SIGKILL");
    clock.cleanup();
    throw new Error(`${(err as Error).message}\n${logs()}`);
  }
  return {
    url,
    plcUrl: env.PLC_URL ?? `http://127.0.0.1:${plcPort}`,
    port,
    dataDir,
    proc,
    logs,
    advanceClock(ms: number) {
      offsetMs += ms;
      writeFileSync(clockFile, String(offsetMs));
    },
    async stop() {
      if (proc.exitCode === null) proc.kill("SIGTERM");
      const code = await proc.exited;
      tmp?.cleanup();
      clock.cleanup();
      return code;
    },
  };
}
