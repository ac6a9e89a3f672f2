// The command palette (Ctrl-K): fuzzy search over screens and their actions; Enter runs the highlighted entry.
import { useEffect } from "react";
import { Box, useInput } from "ink";
import { T } from "../lib/theme.tsx";
import { useRefState } from "../lib/ref-state.ts";
import { useUi } from "../lib/ui.tsx";

export interface PaletteEntry {
  label: string;
  run(): void;
}

/** Every character of the query appears in the label in order (case-insensitive); earlier, tighter matches first. */
export function fuzzyRank(label: string, query: string): number | undefined {
  const l = label.toLowerCase();
  const q = query.toLowerCase().replace(/\s+/g, "");
  let from = 0;
  let first = -1;
  for (const ch of q) {
    const at = l.indexOf(ch, from);
    if (at < 0) return undefined;
    if (first < 0) first = at;
    from = at + 1;
  }
  return q ? first * 1000 + (from - first) : 0;
}

export function filterEntries(entries: PaletteEntry[], query: string): PaletteEntry[] {
  return entries
    .map((e, i) => ({ e, i, rank: fuzzyRank(e.label, query) }))
    .filter((x) => x.rank !== undefined)
    .sort((a, b) => a.rank! - b.rank! || a.i - b.i)
    .map((x) => x.e);
}

export function Palette({ entries, onClose, rows }: { entries: PaletteEntry[]; onClose(): void; rows: number }) {
  const ui = useUi();
  const [getQuery, setQuery] = useRefState("");
  const [getRow, setRow] = useRefState(0);
  useEffect(() => {
    ui.setCapture(true);
    return () => ui.setCapture(false);
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  useInput((input, key) => {
    const shown = filterEntries(entries, getQuery());
    if (key.escape || (key.ctrl && input === "k")) return onClose();
    if (key.return) {
      const pick = shown[Math.min(getRow(), shown.length - 1)];
      onClose();
      pick?.run();
      return;
    }
    if (key.upArrow) return setRow((r) => Math.max(0, r - 1));
    if (key.downArrow || key.tab) return setRow((r) => Math.min(shown.length - 1, r + 1));
    if (key.backspace || key.delete) {
      setQuery((q) => q.slice(0, -1));
      return setRow(0);
    }
    if (key.ctrl || key.meta) return;
    const text = input.replace(/[\u0000-\u001f\u007f]/g, "");
    if (text) {
      setQuery((q) => q + text);
      setRow(0);
    }
  });

  const query = getQuery();
  const shown = filterEntries(entries, query);
  const row = Math.min(getRow(), Math.max(0, shown.length - 1));
  return (
    <Box flexDirection="column">
      <T tone="title">Command palette</T>
      <T>{`› ${query}▏`}</T>
      {shown.length === 0 && <T tone="dim">(nothing matches)</T>}
      {shown.slice(0, Math.max(1, rows - 4)).map((e, i) => (
        <T key={e.label} tone={i === row ? "accent" : undefined}>
          {(i === row ? "› " : "  ") + e.label}
        </T>
      ))}
      <T tone="dim">type to filter · ↑↓ move · Enter run · Esc close</T>
    </Box>
  );
}
