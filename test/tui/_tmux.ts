// Test support: run `ofpds tui` inside a private tmux server, send keys, read the screen with capture-pane.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ofpdsCommand, REPO, tempDir, waitFor } from "../_support/process.ts";

/** tmux is a test dependency (Debian's package); installed here when a machine lacks it. */
export function ensureTmux(): string {
  const found = Bun.which("tmux") ?? (existsSync("/usr/bin/tmux") ? "/usr/bin/tmux" : null);
  if (found) return found;
  const apt = (args: string[]) => Bun.spawnSync(["apt-get", ...args], { env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, stdout: "ignore", stderr: "inherit" });
  apt(["update", "-qq"]);
  if (apt(["install", "-y", "-qq", "tmux"]).exitCode !== 0) throw new Error("tmux is missing and apt-get install tmux failed");
  return Bun.which("tmux") ?? "/usr/bin/tmux";
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export class TmuxTui {
  /** a private tmux server whose socket lives in a temp dir, removed with it (tmux leaves its socket file behind) */
  private readonly dir = tempDir("ofpds-tmux-");
  readonly socket = join(this.dir.path, "sock");
  readonly session = "tui";

  private constructor(private readonly tmux: string) {}

  /**
   * Starts `ofpds <args>` (the compiled binary under OFPDS_BIN) in a detached tmux window of the
   * given size, with a clean environment plus `env`. The window stays open after the command ends,
   * so its last screen and exit status can be read.
   */
  static async start(args: string[], opts: { env?: Record<string, string>; columns?: number; rows?: number; shell?: string } = {}): Promise<TmuxTui> {
    const t = new TmuxTui(ensureTmux());
    const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root", TERM: "xterm-256color", ...opts.env };
    const command = opts.shell ?? [...ofpdsCommand(), ...args].map(shellQuote).join(" ");
    const envPrefix = Object.entries(env)
      .map(([k, v]) => `${k}=${shellQuote(v)}`)
      .join(" ");
    // `env -i` so nothing of the test runner's environment (CI, NO_COLOR…) leaks into the TUI.
    const line = `cd ${shellQuote(REPO)} && env -i ${envPrefix} ${command}; echo "[exit $?]"; sleep 600`;
    t.run(["new-session", "-d", "-s", t.session, "-x", String(opts.columns ?? 100), "-y", String(opts.rows ?? 30), "bash", "-c", line]);
    return t;
  }

  private run(args: string[]): string {
    const r = Bun.spawnSync([this.tmux, "-S", this.socket, "-f", "/dev/null", ...args], { stdout: "pipe", stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`tmux ${args.join(" ")} failed: ${r.stderr.toString()}`);
    return r.stdout.toString();
  }

  /** Types text literally (no key names). */
  type(text: string): void {
    this.run(["send-keys", "-t", this.session, "-l", text]);
  }

  /** Sends tmux key names: Enter, Escape, Tab, BTab, Up, Down, C-c… */
  keys(...names: string[]): void {
    this.run(["send-keys", "-t", this.session, ...names]);
  }

  /** The visible screen; `escapes` keeps colour and attribute codes (capture-pane -e). */
  screen(escapes = false): string {
    return this.run(["capture-pane", "-p", "-t", this.session, ...(escapes ? ["-e"] : [])]);
  }

  /** Waits until the screen contains `text` (or matches), returning that screen. */
  async waitFor(text: string | RegExp, timeoutMs = 15_000): Promise<string> {
    let last = "";
    const has = (s: string) => (typeof text === "string" ? s.includes(text) : text.test(s));
    try {
      await waitFor(async () => has((last = this.screen())), timeoutMs, `the TUI to show ${text}`);
    } catch {
      throw new Error(`timed out waiting for ${String(text)}; the screen was:\n${last}`);
    }
    return last;
  }

  resize(columns: number, rows: number): void {
    this.run(["resize-window", "-t", this.session, "-x", String(columns), "-y", String(rows)]);
  }

  kill(): void {
    try {
      this.run(["kill-server"]);
    } catch {
      // already gone
    }
    this.dir.cleanup();
  }
}
