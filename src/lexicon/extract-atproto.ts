// Prints the com.atproto.* lexicons and the Bluesky record lexicons (bsky-records.ts) of the pinned @atproto/api
// package as JSON, with our error overlay applied. Run in a child process by the atproto-schemas macro so the heavy
// @atproto/api lexicons module (~30 MB RSS) is never loaded into the server process.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { LexiconDoc } from "@atproto/lexicon";
import overlay from "../../lexicons/overlay/com.atproto.errors.json" with { type: "json" };
import { applyErrorOverlay, type ErrorOverlay } from "./overlay.ts";
import { bskyRecordLexicons } from "./bsky-records.ts";

export const ATPROTO_EXTRA_IDS = ["app.bsky.actor.profile"];

export async function extractAtprotoLexicons(): Promise<LexiconDoc[]> {
  // @atproto/api's `exports` only exposes ".", so locate its lexicons module next to the entry file.
  const entry = createRequire(import.meta.url).resolve("@atproto/api");
  const mod = (await import(join(dirname(entry), "client", "lexicons.js"))) as { schemas: LexiconDoc[] };
  const base = mod.schemas.filter((s) => s.id.startsWith("com.atproto.") || ATPROTO_EXTRA_IDS.includes(s.id));
  const baseIds = new Set(base.map((s) => s.id));
  const picked = [...base, ...bskyRecordLexicons(mod.schemas).filter((s) => !baseIds.has(s.id))];
  return applyErrorOverlay(picked, overlay as ErrorOverlay);
}

if (import.meta.main) {
  process.stdout.write(JSON.stringify(await extractAtprotoLexicons()));
}
