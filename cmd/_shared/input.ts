// Interactive input for CLI verbs: secrets from a file, stdin or a hidden prompt (on stderr: stdout is data only); y/N confirmations; flag parsing.
import { readFileSync } from "node:fs";
import { CliError, EXIT, UsageError } from "./errors.ts";

/** Prompts only when stdin and stderr are terminals and --no-input is absent (08 §1). */
export function canPrompt(args: { input?: boolean }): boolean {
  return args.input !== false && Boolean(process.stdin.isTTY) && Boolean(process.stderr.isTTY);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString("utf8");
}

/** Strips one trailing newline, as `echo` and editors add one. */
const chomp = (s: string) => s.replace(/\r?\n$/, "");

/**
 * A password from `--password-file`, `--password-stdin` or a hidden prompt. Without a terminal and
 * without a source: a usage error naming the alternatives.
 */
export async function readPassword(args: { "password-file"?: string; "password-stdin"?: boolean; input?: boolean }, message = "Password"): Promise<string> {
  if (args["password-file"] && args["password-stdin"]) throw new UsageError("Use either --password-file or --password-stdin, not both");
  let password: string;
  if (args["password-file"]) {
    try {
      password = chomp(readFileSync(args["password-file"], "utf8"));
    } catch {
      throw new UsageError(`Cannot read --password-file ${args["password-file"]}`);
    }
  } else if (args["password-stdin"]) {
    password = chomp(await readStdin());
  } else if (canPrompt(args)) {
    const p = await import("@clack/prompts");
    const v = await p.password({ message, output: process.stderr });
    if (p.isCancel(v)) throw new CliError("Cancelled", EXIT.interrupted, "Cancelled");
    password = v;
  } else {
    throw new UsageError("Missing required arguments: a password (no terminal to prompt on)\nPass --password-file <path> or --password-stdin");
  }
  if (!password) throw new UsageError("The password is empty");
  return password;
}

/** A y/N confirmation for moderate actions; `-y/--yes` skips it; without a terminal it is required. */
export async function confirmAction(args: { yes?: boolean; input?: boolean }, question: string): Promise<void> {
  if (args.yes) return;
  if (!canPrompt(args)) throw new UsageError(`${question} needs confirmation, and there is no terminal to ask on\nPass -y/--yes to confirm`);
  const p = await import("@clack/prompts");
  const ok = await p.confirm({ message: question, initialValue: false, output: process.stderr });
  if (p.isCancel(ok)) throw new CliError("Cancelled; nothing was changed", EXIT.interrupted, "Cancelled");
  if (!ok) throw new CliError("Cancelled; nothing was changed", EXIT.usage, "Cancelled");
}

/**
 * Every value of a repeatable flag (`--add a --add b`, `--add=a`, `--add a,b`): citty keeps only the
 * last occurrence, so the raw arguments are read here.
 */
export function repeated(rawArgs: string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < rawArgs.length; i++) {
    const a = rawArgs[i]!;
    if (a === "--") break;
    if (a === `--${name}` && i + 1 < rawArgs.length) values.push(rawArgs[++i]!);
    else if (a.startsWith(`--${name}=`)) values.push(a.slice(name.length + 3));
  }
  return values.flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
}

/** A positive integer flag value, or undefined when absent. */
export function intFlag(value: string | undefined, flag: string, max = 1000): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`--${flag} must be a whole number from 1 to ${max} (got ${value})`);
  return n;
}

/** An ISO 8601 datetime flag value, normalised, or undefined when absent. */
export function dateFlag(value: string | undefined, flag: string): string | undefined {
  if (value === undefined || value === "") return undefined;
  const t = Date.parse(value);
  if (!Number.isFinite(t)) throw new UsageError(`--${flag} must be an ISO 8601 date or datetime, e.g. 2026-12-31T23:59:59Z (got ${value})`);
  return new Date(t).toISOString();
}
