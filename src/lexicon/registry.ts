// The lexicon registry: AT Protocol lexicons (embedded at build time by a macro) plus our own lexicons/.
import { Lexicons, type LexiconDoc, type LexXrpcProcedure, type LexXrpcQuery, type LexXrpcSubscription } from "@atproto/lexicon";
import { atprotoLexicons } from "./atproto-schemas.ts" with { type: "macro" };
import { ofpdsLexicons } from "../../lexicons/index.ts";

export type MethodDef = LexXrpcQuery | LexXrpcProcedure | LexXrpcSubscription;

/** The embedded com.atproto.* (+ app.bsky.actor.profile) documents, error overlay already applied. */
export const ATPROTO_LEXICONS: LexiconDoc[] = atprotoLexicons() as unknown as LexiconDoc[];

export class LexiconRegistry {
  readonly lexicons: Lexicons;
  constructor(docs: LexiconDoc[]) {
    this.lexicons = new Lexicons(docs);
  }

  /** The method definition for an NSID, or undefined when it is not a query/procedure/subscription. */
  method(nsid: string): MethodDef | undefined {
    const def = this.lexicons.getDef(`lex:${nsid}`) ?? this.lexicons.getDef(nsid);
    if (!def) return undefined;
    return def.type === "query" || def.type === "procedure" || def.type === "subscription" ? def : undefined;
  }

  /** `net.openfederation.*` inputs are strict (undeclared fields rejected); `com.atproto.*` are open. */
  static isStrict(nsid: string): boolean {
    return nsid.startsWith("net.openfederation.");
  }
}

/** Build the registry used by the server; tests may pass extra documents (fixtures). */
export function createLexiconRegistry(extra: LexiconDoc[] = []): LexiconRegistry {
  return new LexiconRegistry([...ATPROTO_LEXICONS, ...ofpdsLexicons, ...extra]);
}
