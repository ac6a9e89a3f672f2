// Turns a failed call into the one-line inline error the TUI shows: the server's message with its error name.
import { CliError } from "../../cmd/_shared/errors.ts";

export interface ShownError {
  /** the server's error name (e.g. AlreadyResolved), or a client-side name (Unreachable, Timeout) */
  name: string;
  /** one line, ending with "(name)" */
  line: string;
}

export function describeError(err: unknown): ShownError {
  if (err instanceof CliError) {
    const name = err.errorName ?? "Error";
    const first = err.message.split("\n")[0] ?? err.message;
    return { name, line: first.includes(`(${name})`) ? first : `${first} (${name})` };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { name: "InternalError", line: `${message} (InternalError)` };
}
