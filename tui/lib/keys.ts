// Key helpers shared by the screens (08 §4 keys table): list movement and paging.
import type { Key } from "ink";

export type KeyHelp = Array<[keys: string, action: string]>;

/** Keys every screen has, shown first in the help overlay. */
export const SHELL_KEYS: KeyHelp = [
  ["1–3, Tab / Shift-Tab", "switch screen"],
  ["r", "refresh"],
  ["?", "help (Esc or ? closes)"],
  ["q, Ctrl-C", "quit"],
];

export const LIST_KEYS: KeyHelp = [
  ["↑ ↓ / j k", "move"],
  ["PgDn PgUp / n p", "next / previous page"],
];

/** Applies ↑↓/jk to a row index; returns the new index, or undefined when the key is not a move. */
export function moveRow(input: string, key: Key, row: number, count: number): number | undefined {
  if (key.upArrow || input === "k") return Math.max(0, row - 1);
  if (key.downArrow || input === "j") return Math.max(0, Math.min(count - 1, row + 1));
  return undefined;
}

/** PgDn/n → "next", PgUp/p → "prev". */
export function pageKey(input: string, key: Key): "next" | "prev" | undefined {
  if (key.pageDown || input === "n") return "next";
  if (key.pageUp || input === "p") return "prev";
  return undefined;
}
