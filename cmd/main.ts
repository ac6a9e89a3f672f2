#!/usr/bin/env bun
// ofpds CLI root: maps command names to lazily imported commands and holds the only error boundary.
import { defineCommand, runCommand, renderUsage, type CommandDef } from "citty";
import { VERSION } from "../src/version.ts";
import { ConfigError } from "../src/config/errors.ts";
import { CliError, EXIT, UsageError } from "./_shared/errors.ts";
import { Output } from "./_shared/output.ts";
import { checkArgs, hoistFlags } from "./_shared/strict-args.ts";
import { globalArgs } from "./_shared/args.ts";

const load = <T>(p: Promise<{ default: T }>) => p.then((m) => m.default);

export const main = defineCommand({
  meta: { name: "ofpds", version: VERSION, description: "OpenFederation PDS: AT Protocol server, did:plc directory and admin CLI" },
  args: globalArgs,
  subCommands: {
    serve: () => load(import("./serve.ts")),
    plc: () => load(import("./plc/index.ts")),
    init: () => load(import("./init.ts")),
    auth: () => load(import("./auth/index.ts")),
    invite: () => load(import("./invite/index.ts")),
    account: () => load(import("./account/index.ts")),
    community: () => load(import("./community/index.ts")),
    audit: () => load(import("./audit/index.ts")),
    partner: () => load(import("./partner/index.ts")),
    server: () => load(import("./server/index.ts")),
    doctor: () => load(import("./doctor.ts")),
    tui: () => load(import("./tui.ts")),
    backup: () => load(import("./backup/index.ts")),
    keys: () => load(import("./keys/index.ts")),
    repair: () => load(import("./repair/index.ts")),
  },
});

/** Flags that would put a secret on the command line; named so the error can point to the alternatives. */
const FORBIDDEN_FLAGS: Record<string, string> = {
  password: "There is no --password flag: secrets never go on the command line. Use --password-file <path> or --password-stdin",
};

function toCliError(err: unknown): CliError {
  if (err instanceof CliError) return err;
  if (err instanceof ConfigError) {
    return new CliError(`Configuration error: ${err.problems.join("; ")}`, EXIT.config, "ConfigError");
  }
  if (err instanceof Error && err.name === "CLIError") return new UsageError(err.message.replace(/\x1b\[[0-9;]*m/g, ""));
  if (err instanceof Error && err.name === "DataDirLockedError") return new CliError(err.message, EXIT.runtime, "DataDirLocked");
  if (err instanceof Error && (err as { code?: string }).code === "EADDRINUSE") {
    const port = /port (\d+)/.exec(err.message)?.[1] ?? "?";
    return new CliError(`Port ${port} is already in use: stop the other process or choose another port (--port / PORT; PLC_PORT for the embedded PLC directory)`, EXIT.runtime, "AddressInUse");
  }
  const code = (err as { code?: string } | undefined)?.code;
  if ((code === "EACCES" || code === "EPERM") && typeof (err as { path?: unknown }).path === "string") {
    return new CliError(`permission denied: ${(err as { path: string }).path} (fix its owner or mode, or run ofpds as the user that owns it)`, EXIT.config, "PermissionDenied");
  }
  if (err instanceof Error && err.name === "SchemaTooNewError") return new CliError(err.message, EXIT.config, "SchemaTooNew");
  // one line naming the server (never the password); the PostgreSQL driver's own message is already redacted
  if (err instanceof Error && err.name === "PostgresConnectError") return new CliError(err.message, EXIT.runtime, "DatabaseUnreachable");
  if (err instanceof Error && err.name === "DatabaseInUseError") return new CliError(err.message, EXIT.runtime, "DatabaseInUse");
  if (err instanceof Error && err.name === "DatabaseUnavailableError") return new CliError(err.message, EXIT.runtime, "DatabaseUnavailable");
  const message = err instanceof Error ? err.message : String(err);
  return new CliError(`Unexpected error: ${message}`, EXIT.runtime, "InternalError");
}

export async function run(rawArgs: string[]): Promise<number> {
  // Everything ofpds writes (databases, keys, sessions, exports) is private to its owner.
  process.umask(0o077);
  const out = new Output({ json: rawArgs.includes("--json"), color: !rawArgs.includes("--no-color") });
  try {
    if (rawArgs.length === 1 && (rawArgs[0] === "--version" || rawArgs[0] === "-V")) {
      process.stdout.write(VERSION + "\n");
      return EXIT.ok;
    }
    // Root flags may come before the verb: they are moved to the leaf command, which checks them like its own.
    rawArgs = await hoistFlags(main, rawArgs);
    const chain = await checkArgs(main, rawArgs, FORBIDDEN_FLAGS);
    const leaf = chain[chain.length - 1] as CommandDef<any>;
    if (rawArgs.includes("--help") || rawArgs.includes("-h") || (chain.length === 1 && rawArgs.length === 0)) {
      const usage = await renderUsage(leaf, chain[chain.length - 2] as CommandDef<any> | undefined);
      // citty colours its usage text unconditionally; keep it only where our colour rules allow.
      process.stdout.write((out.outColour ? usage : usage.replace(/\x1b\[[0-9;]*m/g, "")) + "\n");
      return EXIT.ok;
    }
    await runCommand(main, { rawArgs });
    return EXIT.ok;
  } catch (err) {
    const cli = toCliError(err);
    out.failure(cli);
    if (cli.exitCode === EXIT.runtime && cli.errorName === "InternalError" && process.env.OFPDS_DEBUG) console.error(err);
    return cli.exitCode;
  }
}

if (import.meta.main) {
  // Server commands resolve only after their graceful shutdown, so exiting here never cuts a request short.
  process.exit(await run(process.argv.slice(2)));
}
