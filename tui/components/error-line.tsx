// An inline error: the server's message and error name; the screen stays usable beneath it.
import type { ShownError } from "../lib/errors.ts";
import { T } from "../lib/theme.tsx";

export function ErrorLine({ error }: { error: ShownError | undefined }) {
  if (!error) return null;
  return <T tone="err">{`✘ ${error.line}`}</T>;
}
