// A TUI screen as the shell sees it: its number key, title, its own keys for the help overlay, and the component.
import type { ComponentType } from "react";
import type { KeyHelp } from "../lib/keys.ts";

export interface ScreenDef {
  /** the digit that opens it (08 §4 numbering) */
  key: string;
  title: string;
  keys: KeyHelp;
  /** PDS roles that may use it (any one); the route table's guard for its methods. Unset: everyone. */
  roles?: string[];
  /** what the command palette offers on this screen: each runs the screen's handler for `key` */
  actions?: Array<{ label: string; key: string }>;
  Component: ComponentType;
}
