// The lexicon registry: AT Protocol lexicons (embedded at build time by a macro) plus our own lexicons/.
import { Lexicons, type LexiconDoc, type LexXrpcProcedure, type LexXrpcQuery, type LexXrpcSubscription } from "@atproto/lexicon";
import { atprotoLexicons } from "./atproto-schemas.ts" with { type: "macro" };
import { ofpdsLexicons } from "../../lexicons/index.ts";
import { findFormatProblem, withoutOwnFormats } from "./formats.ts";

export type MethodDef = LexXrpcQuery | LexXrpcProcedure | LexXrpcSubscription;

/** The embedded com.atproto.* and Bluesky record documents (bsky-records.ts), error overlay already applied. */
export const ATPROTO_LEXICONS: LexiconDoc[] = atprotoLexicons() as unknown as LexiconDoc[];

export class LexiconRegistry {
  /** For the library's validation: the docs without datetime/cid/uri formats, which formats.ts checks (spec 10 §8). */
  readonly lexicons: Lexicons;
  /** The docs as written, formats included: what findFormatProblem walks. */
  readonly schemas: Lexicons;
  constructor(docs: LexiconDoc[]) {
    this.lexicons = new Lexicons(withoutOwnFormats(docs));
    this.schemas = new Lexicons(docs);
  }

  /** `"<path> <problem>"` for the first datetime/cid/uri field of a record breaking the AT syntax, else undefined. */
  recordFormatProblem(collection: string, value: unknown): string | undefined {
    return findFormatProblem(this.schemas, collection, this.schemas.getDef(`lex:${collection}#main`), value, "Record");
  }

  /** The method definition for an NSID, or undefined when it is not a query/procedure/subscription. */
  method(nsid: string): MethodDef | undefined {
    const def = this.schemas.getDef(`lex:${nsid}`) ?? this.schemas.getDef(nsid);
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
