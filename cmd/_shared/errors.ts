// CLI error taxonomy: each error carries its documented exit code (08 §1); the root maps them.
export const EXIT = {
  ok: 0,
  runtime: 1,
  usage: 2,
  auth: 3,
  notFound: 4,
  conflict: 5,
  rateLimited: 6,
  unreachable: 7,
  config: 78,
  /** Ctrl-C at a prompt: the shell convention 128 + SIGINT */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A problem the user can fix: the message says what happened and how to fix it. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.runtime,
    /** the server's error name, when one is behind this */
    readonly errorName?: string,
  ) {
    super(message);
    this.name = "CliError";
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage, "UsageError");
  }
}
