// Typed-handle confirmation for severe actions (08 §1, §4): only the exact handle confirms; it collapses to one logged line.
import { Form } from "./form.tsx";
import { useUi } from "../lib/ui.tsx";

export interface ConfirmTypedProps {
  /** what will happen, e.g. "Take down community alice.example.org" */
  action: string;
  /** the handle the user must type */
  target: string;
  onDone(confirmed: boolean): void;
}

/** Handles are case-insensitive, so the comparison is too; surrounding spaces are ignored. */
export const typedMatches = (typed: string, target: string) => typed.trim().toLowerCase() === target.trim().toLowerCase();

export function ConfirmTyped({ action, target, onDone }: ConfirmTypedProps) {
  const ui = useUi();
  const finish = (ok: boolean, why = "") => {
    ui.log(ok ? `✔ Confirmed: ${action}` : `✘ Cancelled: ${action}${why}`, ok ? "ok" : "warn");
    onDone(ok);
  };
  return (
    <Form
      title={`${action}? Type ${target} to confirm`}
      fields={[{ name: "typed", label: "Handle" }]}
      onSubmit={(v) => {
        const typed = v.typed ?? "";
        if (typedMatches(typed, target)) finish(true);
        else finish(false, typed.trim() ? ` (typed "${typed.trim()}", not ${target})` : "");
      }}
      onCancel={() => finish(false)}
    />
  );
}
