// Test support: start the real `ofpds serve --dev` process (embedded PLC) on random loopback ports.
import { ofpdsCommand, freePort, tempDir, waitFor, REPO } from "./process.ts";

export interface RunningPds {
  url: string;
  plcUrl: string;
  port: number;
  dataDir: string;
  proc: ReturnType<typeof Bun.spawn>;
  /** stderr collected so far (logs) */
  logs(): string;
  /** SIGTERM and wait; returns the exit code */
  stop(): Promise<number>;
}

export async function startPds(env: Record<string, string> = {}, opts: { dataDir?: string; args?: string[] } = {}): Promise<RunningPds> {
  const tmp = opts.dataDir ? undefined : tempDir("ofpds-pds-");
  const dataDir = opts.dataDir ?? tmp!.path;
  const port = await freePort();
  const plcPort = await freePort();
  const proc = Bun.spawn([...ofpdsCommand(), "serve", "--dev", "--data-dir", dataDir, "--port", String(port), ...(opts.args ?? [])], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", PLC_PORT: String(plcPort), LOG_FORMAT: "json", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  let stderr = "";
  void (async () => {
    for await (const chunk of proc.stderr as unknown as AsyncIterable<Uint8Array>) stderr += new TextDecoder().decode(chunk);
  })();
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => {
      if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}: ${stderr}`);
      return (await fetch(`${url}/xrpc/_health`)).ok;
    }, 30_000, "the PDS to answer /xrpc/_health");
  } catch (err) {
    proc.kill("SIGKILL");
    throw new Error(`${(err as Error).message}\n${stderr}`);
  }
  return {
    url,
    plcUrl: env.PLC_URL ?? `http://127.0.0.1:${plcPort}`,
    port,
    dataDir,
    proc,
    logs: () => stderr,
    async stop() {
      if (proc.exitCode === null) proc.kill("SIGTERM");
      const code = await proc.exited;
      tmp?.cleanup();
      return code;
    },
  };
}
