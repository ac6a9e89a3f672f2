// A detail pane (Enter on a row, Esc back): every field of the record, one per line, nested values as compact JSON.
import { Box } from "ink";
import { T } from "../lib/theme.tsx";

const show = (v: unknown) => (v === undefined || v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v));

export function Detail({ title, record, rows }: { title: string; record: object; rows: number }) {
  const entries = Object.entries(record).filter(([, v]) => v !== undefined);
  const width = Math.max(...entries.map(([k]) => k.length), 4);
  return (
    <Box flexDirection="column">
      <T tone="accent">{title}</T>
      {entries.slice(0, Math.max(1, rows - 2)).map(([k, v]) => (
        <T key={k}>{`  ${k.padEnd(width)}  ${show(v)}`}</T>
      ))}
      <T tone="dim">Esc or Enter: back to the list</T>
    </Box>
  );
}
