// Strict flag checking for citty commands: unknown flags are usage errors with a "did you mean".
import type { ArgsDef, CommandDef } from "citty";
import { UsageError } from "./errors.ts";
import { suggest } from "../../src/util/suggest.ts";

export { suggest };

type AnyCommand = CommandDef<any>;
type Resolvable<T> = T | (() => T | Promise<T>) | Promise<T>;

async function resolve<T>(v: Resolvable<T>): Promise<T> {
  return typeof v === "function" ? await (v as () => T | Promise<T>)() : await v;
}

/** Names (with dashes) a flag definition answers to, including `no-` negations of booleans. */
function flagNames(args: ArgsDef): { names: Set<string>; valueFlags: Set<string> } {
  const names = new Set<string>(["help", "h", "version", "V"]);
  const valueFlags = new Set<string>();
  for (const [name, def] of Object.entries(args)) {
    if (def.type === "positional") continue;
    const alias = (def as { alias?: string | string[] }).alias;
    const aliases = alias === undefined ? [] : Array.isArray(alias) ? alias : [alias];
    for (const n of [name, ...aliases]) {
      names.add(n);
      if (def.type === "boolean") names.add(`no-${n}`);
      if (def.type === "string" || def.type === "enum") valueFlags.add(n);
    }
  }
  return { names, valueFlags };
}

/**
 * Walks rawArgs down the subcommand tree and checks every flag against the command that will
 * receive it. Returns the leaf command (for help output).
 */
export async function checkArgs(root: AnyCommand, rawArgs: string[], forbidden: Record<string, string> = {}): Promise<AnyCommand[]> {
  const chain: AnyCommand[] = [root];
  let cmd = root;
  let i = 0;
  while (i < rawArgs.length) {
    const args = (await resolve(cmd.args ?? {})) as ArgsDef;
    const { names, valueFlags } = flagNames(args);
    const arg = rawArgs[i]!;
    if (arg === "--") break;
    if (arg.startsWith("-") && arg !== "-") {
      const name = arg.replace(/^-{1,2}/, "").split("=")[0]!;
      if (forbidden[name]) throw new UsageError(forbidden[name]!);
      if (!names.has(name)) {
        const hint = suggest(name, [...names].filter((n) => n.length > 1));
        throw new UsageError(`Unknown flag --${name}${hint ? ` (did you mean --${hint}?)` : ""}`);
      }
      if (valueFlags.has(name) && !arg.includes("=")) i++;
      i++;
      continue;
    }
    const subs = (await resolve(cmd.subCommands ?? {})) as Record<string, Resolvable<AnyCommand>>;
    if (Object.keys(subs).length > 0 && arg in subs) {
      cmd = await resolve(subs[arg]!);
      chain.push(cmd);
    } else if (Object.keys(subs).length > 0 && !cmd.run) {
      const hint = suggest(arg, Object.keys(subs));
      throw new UsageError(`Unknown command "${arg}"${hint ? ` (did you mean "${hint}"?)` : ""}`);
    }
    i++;
  }
  return chain;
}

/**
 * citty hands a subcommand only the arguments after its own name, so a flag written before the verb
 * (`ofpds --json invite list`) would be dropped silently. This moves every flag that precedes the leaf
 * command to just after it (before any `--`), where the leaf, which spreads the global flags, receives it.
 * Flags the leaf does not define are then refused by checkArgs, never ignored.
 */
export async function hoistFlags(root: AnyCommand, rawArgs: string[]): Promise<string[]> {
  const path: string[] = [];
  const hoisted: string[] = [];
  let cmd = root;
  let i = 0;
  for (; i < rawArgs.length; i++) {
    const arg = rawArgs[i]!;
    if (arg === "--") break;
    if (arg.startsWith("-") && arg !== "-") {
      const { valueFlags } = flagNames((await resolve(cmd.args ?? {})) as ArgsDef);
      hoisted.push(arg);
      const name = arg.replace(/^-{1,2}/, "").split("=")[0]!;
      if (valueFlags.has(name) && !arg.includes("=") && i + 1 < rawArgs.length) hoisted.push(rawArgs[++i]!);
      continue;
    }
    const subs = (await resolve(cmd.subCommands ?? {})) as Record<string, Resolvable<AnyCommand>>;
    if (!(arg in subs)) break;
    cmd = await resolve(subs[arg]!);
    path.push(arg);
  }
  if (hoisted.length === 0 || path.length === 0) return rawArgs;
  const rest = rawArgs.slice(i);
  const dd = rest.indexOf("--");
  return dd === -1 ? [...path, ...rest, ...hoisted] : [...path, ...rest.slice(0, dd), ...hoisted, ...rest.slice(dd)];
}
