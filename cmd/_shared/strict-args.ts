// Strict flag checking for citty commands: unknown flags are usage errors with a "did you mean".
import type { ArgsDef, CommandDef } from "citty";
import { UsageError } from "./errors.ts";

type AnyCommand = CommandDef<any>;
type Resolvable<T> = T | (() => T | Promise<T>) | Promise<T>;

async function resolve<T>(v: Resolvable<T>): Promise<T> {
  return typeof v === "function" ? await (v as () => T | Promise<T>)() : await v;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

export function suggest(input: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const d = editDistance(input, c);
    if (d < bestScore) [best, bestScore] = [c, d];
  }
  return best !== undefined && bestScore <= Math.max(2, Math.floor(input.length / 3)) ? best : undefined;
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
