// `ofpds tui` entry: refuses without an interactive terminal (exit 2), then renders the shell with the CLI's client and session.
import { render } from "ink";
import { App } from "./app.tsx";
import { TuiApi } from "./lib/api.ts";
import { colourWanted } from "./lib/theme.tsx";
import { parseTimeout, resolveServer, XrpcClient } from "../cmd/_shared/client.ts";
import { UsageError } from "../cmd/_shared/errors.ts";
import { SessionStore } from "../cmd/_shared/session-store.ts";

export const NOT_A_TERMINAL = "ofpds tui needs an interactive terminal; use the CLI commands instead";

export async function runTui(args: { server?: string; timeout?: string; color?: boolean }): Promise<void> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) throw new UsageError(NOT_A_TERMINAL);
  const notices: string[] = [];
  const store = new SessionStore(undefined, (m) => notices.push(m));
  const client = new XrpcClient(resolveServer(args.server, store), parseTimeout(args.timeout), store);
  const app = render(<App api={new TuiApi(client)} colour={colourWanted(args.color)} notices={notices} />, {
    // We checked the terminal ourselves; Ink's own guess turns interactive mode off when CI is set.
    interactive: true,
    exitOnCtrlC: false,
  });
  await app.waitUntilExit();
}
