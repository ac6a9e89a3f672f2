// A keyboard form (one or more text fields): Enter moves on and submits on the last field, Tab/↑↓ move, Esc cancels.
import { useEffect } from "react";
import { Box, useInput } from "ink";
import { T } from "../lib/theme.tsx";
import { useRefState } from "../lib/ref-state.ts";
import { useUi } from "../lib/ui.tsx";

export interface Field {
  name: string;
  label: string;
  /** shown as • (passwords) */
  mask?: boolean;
  initial?: string;
  hint?: string;
}

export interface FormProps {
  title: string;
  fields: Field[];
  /** may return (or resolve to) the name of a field to move to, e.g. the one that was refused */
  onSubmit(values: Record<string, string>): void | string | undefined | Promise<void | string | undefined>;
  /** the field that has the cursor first */
  focus?: string;
  onCancel(): void;
  /** while a submission is in flight, keys are ignored */
  busy?: boolean;
  /** captures keys from the shell (default true); the login form has no shell keys to hold off */
  capture?: boolean;
}

/** Strips what a terminal sends besides text (a pasted newline, control bytes). */
const printable = (s: string) => s.replace(/[\u0000-\u001f\u007f]/g, "");

export function Form({ title, fields, onSubmit, onCancel, busy, capture = true, focus }: FormProps) {
  const ui = useUi();
  const [getValues, setValues] = useRefState<Record<string, string>>(() => Object.fromEntries(fields.map((f) => [f.name, f.initial ?? ""])));
  const [getAt, setAt] = useRefState(() =>
    Math.max(
      0,
      fields.findIndex((f) => f.name === focus),
    ),
  );
  const moveTo = (name: unknown) => {
    const i = fields.findIndex((f) => f.name === name);
    if (i >= 0) setAt(i);
  };
  useEffect(() => {
    if (!capture) return;
    ui.setCapture(true);
    return () => ui.setCapture(false);
  }, [capture]); // eslint-disable-line react-hooks/exhaustive-deps

  const enter = () => {
    const at = getAt();
    if (at < fields.length - 1) setAt(at + 1);
    else {
      const r = onSubmit(getValues());
      if (r instanceof Promise) void r.then(moveTo);
      else moveTo(r);
    }
  };
  const type = (text: string) => {
    const field = fields[getAt()];
    if (field && text) setValues((v) => ({ ...v, [field.name]: (v[field.name] ?? "") + text }));
  };

  useInput((input, key) => {
    if (busy) return;
    const field = fields[getAt()];
    if (!field) return;
    if (key.escape) return onCancel();
    if (key.return) return enter();
    if (key.tab || key.upArrow || key.downArrow) {
      const back = (key.tab && key.shift) || key.upArrow;
      setAt((at) => (at + (back ? fields.length - 1 : 1)) % fields.length);
      return;
    }
    if (key.backspace || key.delete) {
      setValues((v) => ({ ...v, [field.name]: (v[field.name] ?? "").slice(0, -1) }));
      return;
    }
    if (key.ctrl || key.meta) return;
    // Keys typed faster than a frame (or pasted) arrive as one chunk: each line break in it is an Enter.
    const parts = input.split(/\r\n|\r|\n/);
    parts.forEach((part, i) => {
      type(printable(part));
      if (i < parts.length - 1) enter();
    });
  });

  const values = getValues();
  const at = getAt();
  return (
    <Box flexDirection="column">
      <T tone="accent">{title}</T>
      {fields.map((f, i) => {
        const v = values[f.name] ?? "";
        const shown = f.mask ? "•".repeat(v.length) : v;
        return (
          <T key={f.name} tone={i === at ? undefined : "dim"}>
            {i === at ? "› " : "  "}
            {f.label}: {shown}
            {i === at ? "▏" : ""}
            {f.hint && i === at && !v ? `  (${f.hint})` : ""}
          </T>
        );
      })}
      <T tone="dim">{busy ? "  sending…" : fields.length > 1 ? "  Enter next/submit · Tab move · Esc cancel" : "  Enter submit · Esc cancel"}</T>
    </Box>
  );
}
