// Test support: free loopback ports, temp dirs, and the ofpds command (compiled binary when OFPDS_BIN is set).
import { afterAll } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const REPO = new URL("../../", import.meta.url).pathname;

/** The command that runs ofpds: the compiled binary under `npm test`, the sources otherwise. */
export function ofpdsCommand(): string[] {
  return process.env.OFPDS_BIN ? [process.env.OFPDS_BIN] : [process.execPath, join(REPO, "cmd/main.ts")];
}

export async function freePort(): Promise<number> {
  const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = server.port;
  server.stop(true);
  return port;
}

export function tempDir(prefix = "ofpds-test-"): { path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** A temp-dir factory for one test file; every dir it made is removed after the file's tests. */
export function tempDirs(prefix: string): () => string {
  const made: Array<{ cleanup(): void }> = [];
  afterAll(() => made.forEach((d) => d.cleanup()));
  return () => {
    const d = tempDir(prefix);
    made.push(d);
    return d.path;
  };
}

/** Starts `ofpds <args>` in the background, collecting stderr (the logs) as it arrives. */
export function spawnOfpds(args: string[], env: Record<string, string> = {}) {
  const proc = Bun.spawn([...ofpdsCommand(), ...args], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", LOG_FORMAT: "json", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  let stderr = "";
  void (async () => {
    for await (const chunk of proc.stderr as unknown as AsyncIterable<Uint8Array>) stderr += new TextDecoder().decode(chunk);
  })();
  return { proc, logs: () => stderr };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `ofpds <args>` to completion with a clean environment plus `env`. */
export async function runCli(args: string[], opts: { env?: Record<string, string>; cwd?: string; stdin?: string } = {}): Promise<CliResult> {
  const proc = Bun.spawn([...ofpdsCommand(), ...args], {
    cwd: opts.cwd ?? REPO,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", ...opts.env },
    stdin: opts.stdin === undefined ? "ignore" : new TextEncoder().encode(opts.stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await Bun.sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Runs `ofpds <args>` on a real terminal through script(1) (util-linux, always on Debian), types `keys` once
 * the prompt is up, and returns what the terminal showed and the exit code.
 */
export async function runOnTty(args: string[], keys: string, env: Record<string, string> = {}): Promise<{ out: string; code: number }> {
  const command = [...ofpdsCommand(), ...args].map(shellQuote).join(" ");
  const proc = Bun.spawn(["script", "-qfec", command, "/dev/null"], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", TERM: "xterm", ...env },
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  await Bun.sleep(800);
  proc.stdin.write(keys);
  await proc.stdin.flush();
  // Keep the terminal open until the command is done (closing it early would hang it up).
  await Promise.race([proc.exited, Bun.sleep(10_000)]);
  proc.stdin.end();
  const [out, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  return { out, code };
}
