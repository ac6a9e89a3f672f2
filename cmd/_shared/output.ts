// Output helper: data on stdout (JSON or human), messages on stderr, colour only where it is allowed.
import { CliError, EXIT } from "./errors.ts";

export interface OutputOptions {
  json?: boolean;
  quiet?: boolean;
  color?: boolean;
}

function colourAllowed(stream: NodeJS.WriteStream, flag: boolean | undefined): boolean {
  if (flag === false) return false;
  if (process.env.NO_COLOR || process.env.OFPDS_NO_COLOR || process.env.TERM === "dumb") return false;
  return Boolean(stream.isTTY);
}

const paint = (code: number, on: boolean) => (s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);

export class Output {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly errColour: boolean;
  readonly outColour: boolean;

  constructor(opts: OutputOptions = {}) {
    this.json = Boolean(opts.json);
    this.quiet = Boolean(opts.quiet);
    this.errColour = colourAllowed(process.stderr, opts.color);
    this.outColour = colourAllowed(process.stdout, opts.color);
  }

  /** The command's result: pretty JSON with --json, else the human rendering. */
  data(value: unknown, human?: (v: any) => string): void {
    if (this.json) process.stdout.write(JSON.stringify(value, null, 2) + "\n");
    else if (human) process.stdout.write(human(value) + "\n");
  }

  info(msg: string): void {
    if (!this.quiet) process.stderr.write(msg + "\n");
  }

  success(msg: string): void {
    if (!this.quiet) process.stderr.write(paint(32, this.errColour)("✓ ") + msg + "\n");
  }

  warn(msg: string): void {
    process.stderr.write(paint(33, this.errColour)("! ") + msg + "\n");
  }

  /** Used only by the root error boundary. */
  failure(err: CliError): void {
    if (this.json) {
      process.stderr.write(JSON.stringify({ error: err.errorName ?? "Error", message: err.message, exitCode: err.exitCode }) + "\n");
    } else {
      process.stderr.write(paint(31, this.errColour)("✗ ") + err.message + "\n");
    }
  }
}

export function outputFrom(args: Record<string, unknown>): Output {
  return new Output({ json: args.json === true, quiet: args.quiet === true, color: args.color !== false });
}

export { CliError, EXIT };
