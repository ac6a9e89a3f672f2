// Key helpers shared by the screens (08 §4 keys table): list movement and paging.
import { useRef } from "react";
import { useInput, type Key } from "ink";

export type KeyHelp = Array<[keys: string, action: string]>;

/** Keys every screen has, shown first in the help overlay. */
export const SHELL_KEYS: KeyHelp = [
  ["1–3, Tab / Shift-Tab", "switch screen"],
  ["r", "refresh"],
  ["?", "help (Esc or ? closes)"],
  ["Ctrl-K", "command palette: type to filter screens and actions, Enter runs"],
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

/** A key event with nothing pressed but text: what a palette action replays to a screen's key handler. */
export const TEXT_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

/**
 * useInput whose gate is read when a key arrives, not when Ink re-subscribes: Ink attaches a
 * handler that turns active only in a passive effect after the frame is drawn, so a key pressed
 * right after a form closes would be lost. Here the listener stays attached and the latest
 * render's `enabled` decides.
 */
export function useGatedInput(handler: (input: string, key: Key) => void, enabled: boolean): void {
  const gate = useRef(enabled);
  gate.current = enabled;
  const latest = useRef(handler);
  latest.current = handler;
  useInput((input, key) => {
    if (gate.current) latest.current(input, key);
  });
}
