// Test support: a stable TID-shaped record key for a readable name, for collections whose lexicon keys by TID
// (app.bsky.feed.post, .like, ...: spec 10 §7 checks the key type). Same name → same key, distinct names → distinct keys.
import { createHash } from "node:crypto";

const S32 = "234567abcdefghijklmnopqrstuvwxyz";

export function rk(name: string): string {
  const h = createHash("sha256").update(name).digest();
  // a TID's first character is one of the first 16 (the top bit of the 64-bit value is 0)
  let out = S32[h[0]! % 16]!;
  for (let i = 1; i < 13; i++) out += S32[h[i]! % 32]!;
  return out;
}
