// What the shell gives every screen: the API, the ticker, the action log, inline-error reporting and the key gate.
import { createContext, useContext } from "react";
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
  /** Rows the current screen may use (the terminal minus header and status line). */
  bodyRows: number;
}

export const UiContext = createContext<Ui | null>(null);

export function useUi(): Ui {
  const ui = useContext(UiContext);
  if (!ui) throw new Error("useUi outside the TUI shell");
  return ui;
}
