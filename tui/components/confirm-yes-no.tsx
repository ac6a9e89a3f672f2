// A y/N question for moderate actions (08 §1): only "y" confirms; any other key cancels.
import { useEffect } from "react";
import { useInput } from "ink";
import { T } from "../lib/theme.tsx";
import { useUi } from "../lib/ui.tsx";

export function ConfirmYesNo({ question, onDone }: { question: string; onDone(yes: boolean): void }) {
  const ui = useUi();
  useEffect(() => {
    ui.setCapture(true);
    return () => ui.setCapture(false);
  }, []); // eslint-disable-line react-hooks/exhaustive-deps
  useInput((input) => onDone(input === "y" || input === "Y"));
  return <T tone="warn">{`${question} (y/N)`}</T>;
}
