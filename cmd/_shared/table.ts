// Plain-text tables for human output: aligned columns, a header row, "-" for empty cells, never colour.
export type Row = Record<string, unknown>;

function cell(v: unknown): string {
  if (v === undefined || v === null || v === "") return "-";
  if (Array.isArray(v)) return v.length ? v.join(",") : "-";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v).replace(/\s+/g, " ");
}

/** Renders rows under `columns` ([header, key or getter]); an empty list renders `empty`. */
export function table(rows: Row[], columns: Array<[string, string | ((r: Row) => unknown)]>, empty = "(none)"): string {
  if (rows.length === 0) return empty;
  const grid = [columns.map(([h]) => h), ...rows.map((r) => columns.map(([, k]) => cell(typeof k === "function" ? k(r) : r[k])))];
  const widths = columns.map((_, i) => Math.max(...grid.map((line) => line[i]!.length)));
  return grid.map((line) => line.map((c, i) => (i === line.length - 1 ? c : c.padEnd(widths[i]!))).join("  ")).join("\n");
}
