// Test support for TUI component tests: the shell rendered by ink-testing-library against a real server, keys in, frames out.
import { render } from "ink-testing-library";
import { App } from "../../tui/app.tsx";
import { TuiApi } from "../../tui/lib/api.ts";
import { ManualTicker } from "../../tui/lib/ticker.ts";
import { XrpcClient } from "../../cmd/_shared/client.ts";
import { SessionStore } from "../../cmd/_shared/session-store.ts";
import { waitFor } from "../_support/process.ts";

/** Key sequences as a terminal sends them. */
export const KEY = { enter: "\r", escape: "\x1b", tab: "\t", shiftTab: "\x1b[Z", up: "\x1b[A", down: "\x1b[B", pageDown: "\x1b[6~", backspace: "\x7f", ctrlC: "\x03" };

export function renderTui(server: string, sessionsDir: string, opts: { colour?: boolean } = {}) {
  const ticker = new ManualTicker();
  const api = new TuiApi(new XrpcClient(server, 10_000, new SessionStore(sessionsDir)));
  const r = render(<App api={api} ticker={ticker} colour={opts.colour ?? false} />);
  const frame = () => r.lastFrame() ?? "";
  return {
    ...r,
    ticker,
    api,
    frame,
    /** Writes keys one chunk at a time (as typed). */
    press(...keys: string[]) {
      for (const k of keys) r.stdin.write(k);
    },
    async until(text: string | RegExp, timeoutMs = 10_000): Promise<string> {
      const has = (s: string) => (typeof text === "string" ? s.includes(text) : text.test(s));
      try {
        await waitFor(async () => has(frame()), timeoutMs, String(text));
      } catch {
        throw new Error(`timed out waiting for ${String(text)}; the last frame was:\n${frame()}`);
      }
      return frame();
    },
    /** Waits until the frame no longer matches. */
    async untilGone(text: RegExp, timeoutMs = 10_000): Promise<string> {
      try {
        await waitFor(async () => !text.test(frame()), timeoutMs, `${text} to go`);
      } catch {
        throw new Error(`timed out waiting for ${String(text)} to go; the last frame was:\n${frame()}`);
      }
      return frame();
    },
    /** Changes the size the terminal reports and emits `resize`, as a real terminal does. */
    resize(columns: number, rows: number) {
      Object.defineProperty(r.stdout, "columns", { value: columns, configurable: true });
      Object.defineProperty(r.stdout, "rows", { value: rows, configurable: true });
      r.stdout.emit("resize");
    },
  };
}
