// Fixed-width table rows for list screens: each cell padded or cut to its width (with "…").
export function cells(values: Array<string | number | undefined>, widths: number[]): string {
  return values
    .map((v, i) => {
      const w = widths[i] ?? 10;
      const s = v === undefined ? "" : String(v);
      return s.length > w ? s.slice(0, Math.max(0, w - 1)) + "…" : s.padEnd(w);
    })
    .join(" ")
    .trimEnd();
}

/** "2026-12-03T13:58:00.000Z" → "2026-12-03 13:58" (UTC), for narrow columns. */
export const shortTime = (iso: string | undefined) => (iso ? iso.replace("T", " ").slice(0, 16) : "");

/** The slice of a list that fits `max` rows and keeps `row` in view; `offset` is the index of its first item. */
export function windowed<T>(items: T[], row: number, max: number): { visible: T[]; offset: number } {
  const size = Math.max(1, max);
  const start = row >= size ? Math.min(row - size + 1, Math.max(0, items.length - size)) : 0;
  return { visible: items.slice(start, start + size), offset: start };
}
