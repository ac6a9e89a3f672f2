// Test support: free loopback ports, temp dirs, and the ofpds command (compiled binary when OFPDS_BIN is set).
import { afterAll } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dropDatabasesUnder, testDbEnv } from "./db.ts";

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
  return {
    path,
    cleanup: () => {
      dropDatabasesUnder(path);
      rmSync(path, { recursive: true, force: true });
    },
  };
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
    env: testDbEnv(args, { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", LOG_FORMAT: "json", ...env }, REPO),
    stdout: "pipe",
    stderr: "pipe",
  });
  let stderr = "";
  // resolves when stderr closes (the process has exited and every log line has been read)
  const drained = (async () => {
    for await (const chunk of proc.stderr as unknown as AsyncIterable<Uint8Array>) stderr += new TextDecoder().decode(chunk);
  })();
  return { proc, logs: () => stderr, drained };
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
    env: testDbEnv(args, { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", ...opts.env }, opts.cwd ?? REPO),
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

// Colours, cursor moves and the other escape sequences a prompt library draws with.
const ANSI = /\x1b\[[0-9;?]*[ -\/]*[@-~]|\x1b[()][0-9A-B]|\x1b[=>78]/g;

/**
 * Runs `ofpds <args>` on a real terminal through script(1) (util-linux, always on Debian), waits until the
 * terminal shows `prompt` (escape sequences stripped), types `keys`, and returns what the terminal showed and
 * the exit code. Fails naming what was on screen if the prompt never appears or the command does not finish.
 */
export async function runOnTty(args: string[], prompt: string, keys: string, env: Record<string, string> = {}, timeoutMs = 15_000): Promise<{ out: string; code: number }> {
  // The pseudo-terminal starts 0 columns wide (script's stdin is a pipe), and prompt libraries then wrap after
  // every character: give it a real size first.
  const command = `stty cols 120 rows 40; exec ${[...ofpdsCommand(), ...args].map(shellQuote).join(" ")}`;
  const proc = Bun.spawn(["script", "-qfec", command, "/dev/null"], {
    cwd: REPO,
    env: testDbEnv(args, { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", TERM: "xterm", ...env }, REPO),
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  let out = "";
  let prompted: () => void = () => {};
  const promptShown = new Promise<void>((resolve) => (prompted = resolve));
  const reading = (async () => {
    for await (const chunk of proc.stdout as unknown as AsyncIterable<Uint8Array>) {
      out += new TextDecoder().decode(chunk);
      if (out.replace(ANSI, "").includes(prompt)) prompted();
    }
  })();
  const deadline = (what: string) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const p = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`runOnTty: ${what} within ${timeoutMs} ms; the terminal showed:\n${out.replace(ANSI, "")}`)), timeoutMs);
    });
    return { p, clear: () => clearTimeout(timer) };
  };
  const promptWait = deadline(`no prompt "${prompt}"`);
  try {
    await Promise.race([promptShown, promptWait.p, proc.exited.then(() => reading).then(() => {
      if (!out.replace(ANSI, "").includes(prompt)) throw new Error(`runOnTty: exited before prompting "${prompt}"; the terminal showed:\n${out.replace(ANSI, "")}`);
    })]);
  } catch (err) {
    proc.kill("SIGKILL");
    throw err;
  } finally {
    promptWait.clear();
  }
  proc.stdin.write(keys);
  await proc.stdin.flush();
  // Keep the terminal open until the command is done (closing it early would hang it up).
  const exitWait = deadline("the command did not exit");
  try {
    await Promise.race([proc.exited, exitWait.p]);
  } catch (err) {
    proc.kill("SIGKILL");
    throw err;
  } finally {
    exitWait.clear();
  }
  proc.stdin.end();
  const code = await proc.exited;
  await reading;
  return { out, code };
}
