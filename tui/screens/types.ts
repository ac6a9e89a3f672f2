// A TUI screen as the shell sees it: its number key, title, its own keys for the help overlay, and the component.
import type { ComponentType } from "react";
import type { KeyHelp } from "../lib/keys.ts";

export interface ScreenDef {
  /** the digit that opens it (08 §4 numbering) */
  key: string;
  title: string;
  keys: KeyHelp;
  Component: ComponentType;
}
