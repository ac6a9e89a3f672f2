// Bun macro (import it `with { type: "macro" }`): inlines the com.atproto.* lexicons and the Bluesky record
// lexicons (bsky-records.ts) at bundle/transpile time, so the compiled binary embeds only those ~130
// documents. The extraction runs in a child process so that even `bun run`/`bun test` never hold all of
// @atproto/api in memory.
import type { LexiconDoc } from "@atproto/lexicon";

export function atprotoLexicons(): LexiconDoc[] {
  const script = new URL("./extract-atproto.ts", import.meta.url).pathname;
  const res = Bun.spawnSync([process.execPath, script], { stdout: "pipe", stderr: "pipe", env: { ...process.env, BUN_BE_BUN: "1" } });
  if (!res.success) {
    throw new Error(`extracting AT Protocol lexicons failed: ${res.stderr.toString()}`);
  }
  return JSON.parse(res.stdout.toString()) as LexiconDoc[];
}
