// What the shell gives every screen: the API, the ticker, the action log, inline-error reporting and the key gate.
import { createContext, useContext, useEffect, useRef } from "react";
import type { Key } from "ink";
import { TEXT_KEY } from "./keys.ts";
import type { TuiApi } from "./api.ts";
import type { ShownError } from "./errors.ts";
import type { Ticker } from "./ticker.ts";
import type { Tone } from "./theme.tsx";

export interface Ui {
  api: TuiApi;
  ticker: Ticker;
  /** Logs a finished action above the live region (it stays in the scrollback). */
  log(line: string, tone?: Tone): void;
  /** A transient message on the status line. */
  status(line: string): void;
  /** Describes a failed call for an inline error; when the saved session is gone, goes back to the login form. */
  fail(err: unknown): ShownError;
  /** Whether a screen may handle its keys now (no help overlay, no prompt or form open). */
  keysEnabled: boolean;
  /** Set by a mounted prompt or form: screen and shell keys are off meanwhile. */
  setCapture(on: boolean): void;
  /** A palette action for the current screen, waiting to run (n distinguishes repeats). */
  action?: { key: string; n: number };
  clearAction(): void;
  /** Rows the current screen may use (the terminal minus header and status line). */
  bodyRows: number;
}

export const UiContext = createContext<Ui | null>(null);

export function useUi(): Ui {
  const ui = useContext(UiContext);
  if (!ui) throw new Error("useUi outside the TUI shell");
  return ui;
}

/** Runs the screen's key handler for a palette action addressed to it (on mount, after a switch, too). */
export function useScreenAction(onKey: (input: string, key: Key) => void): void {
  const ui = useUi();
  const handler = useRef(onKey);
  handler.current = onKey;
  useEffect(() => {
    if (!ui.action) return;
    const { key } = ui.action;
    ui.clearAction();
    handler.current(key, TEXT_KEY);
  }, [ui.action?.n]); // eslint-disable-line react-hooks/exhaustive-deps
}
