// Every net.openfederation.* lexicon, imported statically so `bun build --compile` embeds them.
// Add one import line per JSON file under lexicons/net/openfederation/ (a test checks none is missing).
import type { LexiconDoc } from "@atproto/lexicon";

export const ofpdsLexicons: LexiconDoc[] = [];
