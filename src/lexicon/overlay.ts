// Merges ofpds-specific error names into com.atproto.* method lexicons (spec 00 §8), without mutating inputs.
import type { LexiconDoc } from "@atproto/lexicon";

export interface OverlayError {
  name: string;
  description?: string;
}
/** method NSID -> additional errors; keys starting with `$` are comments */
export type ErrorOverlay = Record<string, OverlayError[] | string>;

export function applyErrorOverlay(docs: LexiconDoc[], overlay: ErrorOverlay): LexiconDoc[] {
  const byId = new Map<string, LexiconDoc>(docs.map((d) => [d.id, d]));
  const out = new Map(byId);
  for (const [nsid, extra] of Object.entries(overlay)) {
    if (nsid.startsWith("$")) continue;
    if (!Array.isArray(extra)) throw new Error(`lexicon overlay: ${nsid} must map to an array of errors`);
    const doc = byId.get(nsid);
    const main = doc?.defs.main;
    if (!doc || !main || (main.type !== "query" && main.type !== "procedure" && main.type !== "subscription")) {
      throw new Error(`lexicon overlay: ${nsid} is not a known method lexicon`);
    }
    const existing = (main as { errors?: OverlayError[] }).errors ?? [];
    const names = new Set(existing.map((e) => e.name));
    const merged = [...existing, ...extra.filter((e) => !names.has(e.name))];
    out.set(nsid, { ...doc, defs: { ...doc.defs, main: { ...main, errors: merged } } } as LexiconDoc);
  }
  return [...out.values()];
}
