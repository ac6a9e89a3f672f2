// The terminal size, re-read on every resize; the TUI needs at least 80×24.
import { useEffect, useState } from "react";
import { useStdout } from "ink";

export const MIN_COLUMNS = 80;
export const MIN_ROWS = 24;

export interface Size {
  columns: number;
  rows: number;
}

/** A stream that does not report its size (a test double) counts as the minimum. */
const read = (s: NodeJS.WritableStream): Size => {
  const t = s as Partial<NodeJS.WriteStream>;
  return { columns: t.columns || MIN_COLUMNS, rows: t.rows || MIN_ROWS };
};

export function useTerminalSize(): Size {
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => read(stdout));
  useEffect(() => {
    const onResize = () => setSize(read(stdout));
    stdout.on("resize", onResize);
    onResize();
    return () => {
      stdout.off("resize", onResize);
    };
  }, [stdout]);
  return size;
}

export const tooSmall = (s: Size) => s.columns < MIN_COLUMNS || s.rows < MIN_ROWS;
