// Cursor paging for list verbs: one page, or with --all every page merged into one documented aggregate.
import { CliError, EXIT } from "./errors.ts";

export interface Page {
  cursor?: string;
  total?: number;
}

/**
 * Follows `cursor` from `first` until the server stops returning one, concatenating `key`.
 * Returns `{[key]: all items, total}` (the `--all` aggregate; no `cursor`).
 */
export async function collectAll<K extends string, T>(key: K, fetchPage: (cursor: string | undefined) => Promise<Page & Record<K, T[]>>, first?: string): Promise<Record<K, T[]> & { total: number }> {
  const items: T[] = [];
  const seen = new Set<string>();
  let cursor = first;
  let total: number | undefined;
  for (;;) {
    const page = await fetchPage(cursor);
    items.push(...(page[key] ?? []));
    total ??= page.total;
    if (!page.cursor) break;
    if (seen.has(page.cursor)) throw new CliError(`The server returned the same cursor twice while listing ${key}; stopping`, EXIT.runtime, "CursorLoop");
    seen.add(page.cursor);
    cursor = page.cursor;
  }
  return { [key]: items, total: total ?? items.length } as Record<K, T[]> & { total: number };
}

/** The `--limit`, `--cursor`, `--all` flags every list verb takes; `key` names the aggregate's item list. */
export function pagingArgs(key: string) {
  return {
    limit: { type: "string", description: "Page size (1-100)" },
    cursor: { type: "string", description: "Continue from a previous page's cursor" },
    all: { type: "boolean", description: `Follow cursors and print every page as one {${key}, total} document` },
  } as const;
}

/** One page from `--cursor`, or with `--all` every page merged (see collectAll). */
export function listPages<K extends string, T, P extends Page & Record<K, T[]>>(
  key: K,
  args: { all?: boolean; cursor?: string },
  fetchPage: (cursor: string | undefined) => Promise<P>,
): Promise<Partial<P>> {
  return args.all ? (collectAll(key, fetchPage, args.cursor) as Promise<Partial<P>>) : fetchPage(args.cursor);
}
