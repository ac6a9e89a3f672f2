// Picks the Bluesky record lexicons (spec 10 §7) out of @atproto/api's schemas: every app.bsky.*/chat.bsky.* record
// type, com.atproto.lexicon.schema and the preference methods, closed over the documents their refs name.
import type { LexiconDoc } from "@atproto/lexicon";

/** Documents embedded besides the record types: validated as records (lexicon.schema) or inputs (preferences, §3). */
export const BSKY_EXTRA_SEEDS = ["com.atproto.lexicon.schema", "app.bsky.actor.getPreferences", "app.bsky.actor.putPreferences"];

const isBskyRecord = (d: LexiconDoc) => (d.id.startsWith("app.bsky.") || d.id.startsWith("chat.bsky.")) && d.defs.main?.type === "record";

/** The document NSIDs a lexicon value refers to (`ref` and `union` entries; `#local` refs stay in the document). */
function referencedDocs(value: unknown, out: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) referencedDocs(v, out);
    return;
  }
  if (!value || typeof value !== "object") return;
  const o = value as Record<string, unknown>;
  const add = (ref: unknown) => {
    if (typeof ref !== "string" || ref.startsWith("#")) return;
    out.add(ref.replace(/^lex:/, "").split("#")[0]!);
  };
  if (o.type === "ref") add(o.ref);
  if (o.type === "union" && Array.isArray(o.refs)) o.refs.forEach(add);
  for (const v of Object.values(o)) referencedDocs(v, out);
}

/**
 * The record documents and everything they reference, whole documents (the validator resolves refs by document),
 * sorted by id so the embedded output is deterministic. Throws on a dangling reference: a pinned package that
 * names a document it does not ship would otherwise fail only when a record reaches that ref.
 */
export function bskyRecordLexicons(schemas: LexiconDoc[]): LexiconDoc[] {
  const byId = new Map<string, LexiconDoc>(schemas.map((d) => [d.id, d]));
  const queue = [...schemas.filter(isBskyRecord).map((d) => d.id), ...BSKY_EXTRA_SEEDS];
  const picked = new Map<string, LexiconDoc>();
  while (queue.length > 0) {
    const id = queue.pop()!;
    if (picked.has(id)) continue;
    const doc = byId.get(id);
    if (!doc) throw new Error(`lexicon ${id} is referenced but not shipped by @atproto/api`);
    picked.set(id, doc);
    const refs = new Set<string>();
    referencedDocs(doc.defs, refs);
    for (const r of refs) if (!picked.has(r)) queue.push(r);
  }
  return [...picked.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
