// Generates src/lexicon-types/generated.ts: TypeScript types for our net.openfederation.* lexicons and the method map (all methods; com.atproto.* and the embedded app.bsky.* methods via @atproto/api's types).
// Run `bun scripts/gen-lexicon-types.ts` after editing a lexicon; test/lexicon-types.test.ts fails while the checked-in file is stale.
import { writeFileSync } from "node:fs";
import type { LexiconDoc } from "@atproto/lexicon";
import { ofpdsLexicons } from "../lexicons/index.ts";
import { extractAtprotoLexicons } from "../src/lexicon/extract-atproto.ts";

export const GENERATED_PATH = new URL("../src/lexicon-types/generated.ts", import.meta.url).pathname;

// The lexicon JSON is walked loosely: each branch below reads only the fields of its own type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Def = any;

/** `net.openfederation.community.get` → `NetOpenfederationCommunityGet` (the @atproto/api naming). */
export function nsName(nsid: string): string {
  return nsid.split(".").map(upperFirst).join("");
}
const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
/** `main` of a record is `Record`, other defs are their name in PascalCase (as @atproto/api does). */
const defName = (name: string, def: Def) => (name === "main" ? (def.type === "record" ? "Record" : "Main") : upperFirst(name));

const str = (v: unknown) => JSON.stringify(v);
const key = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : str(k));
const isJson = (encoding: string | undefined) => encoding === "application/json";

class Emitter {
  constructor(
    private readonly doc: LexiconDoc,
    private readonly docs: Map<string, LexiconDoc>,
  ) {}

  /** The TS type of a ref (`#local`, `nsid#name`, `nsid`), qualified when it points into another document. */
  ref(ref: string): string {
    const [id, name = "main"] = ref.startsWith("#") ? [this.doc.id, ref.slice(1)] : ref.split("#");
    const target = this.docs.get(id!);
    const def = target?.defs[name];
    if (!target || !def) throw new Error(`${this.doc.id}: unresolved ref ${ref}`);
    const local = defName(name, def);
    if (id === this.doc.id) return local;
    return id!.startsWith("net.openfederation.") ? `${nsName(id!)}.${local}` : `AtApi.${nsName(id!)}.${local}`;
  }

  type(d: Def, indent: string): string {
    switch (d.type) {
      case "string":
        if (d.const !== undefined) return str(d.const);
        if (Array.isArray(d.enum)) return d.enum.map(str).join(" | ");
        if (Array.isArray(d.knownValues)) return [...d.knownValues.map(str), "(string & {})"].join(" | ");
        return "string";
      case "integer":
        return d.const !== undefined ? str(d.const) : Array.isArray(d.enum) ? d.enum.map(str).join(" | ") : "number";
      case "boolean":
        return d.const !== undefined ? str(d.const) : "boolean";
      case "unknown":
        return "unknown";
      case "bytes":
        return "{ $bytes: string }";
      case "cid-link":
        return "{ $link: string }";
      case "blob":
        return "BlobJson";
      case "array":
        return `Array<${this.type(d.items, indent)}>`;
      case "ref":
        return this.ref(d.ref);
      case "union":
        return d.refs.map((r: string) => `(${this.ref(r)} & { $type: ${str(r.startsWith("#") ? this.doc.id + r : r)} })`).join(" | ") + (d.closed ? "" : " | { $type: string }");
      case "object":
      case "params":
        return this.object(d, indent, new Set());
      default:
        throw new Error(`${this.doc.id}: lexicon type ${str(d.type)} is not supported by the generator`);
    }
  }

  /** An object literal type; `alsoRequired` names fields that are optional in the lexicon but always present (params defaults). */
  object(d: Def, indent: string, alsoRequired: Set<string>): string {
    const props = Object.entries((d.properties ?? {}) as Record<string, Def>);
    if (props.length === 0) return "{}";
    const required = new Set<string>(d.required ?? []);
    const nullable = new Set<string>(d.nullable ?? []);
    const inner = indent + "  ";
    const lines = props.map(([k, p]) => {
      const opt = required.has(k) || alsoRequired.has(k) ? "" : "?";
      const doc = p.description ? `${inner}/** ${String(p.description).replace(/\*\//g, "*\\/")} */\n` : "";
      return `${doc}${inner}${key(k)}${opt}: ${this.type(p, inner)}${nullable.has(k) ? " | null" : ""};`;
    });
    return `{\n${lines.join("\n")}\n${indent}}`;
  }

  body(b: Def | undefined, indent: string): string {
    if (!b) return "undefined";
    if (!isJson(b.encoding)) return "NonJsonBody";
    if (!b.schema) return "undefined";
    return this.type(b.schema, indent);
  }

  /** The namespace of one net.openfederation.* document. */
  namespace(): string {
    const out: string[] = [];
    for (const [name, def] of Object.entries(this.doc.defs) as Array<[string, Def]>) {
      const doc = def.description ? `  /** ${String(def.description).replace(/\*\//g, "*\\/")} */\n` : "";
      if (name === "main" && (def.type === "query" || def.type === "procedure")) {
        out.push(`${doc}  export type QueryParams = ${def.parameters ? this.object(def.parameters, "  ", new Set()) : "{}"};`);
        out.push(`  export type InputSchema = ${this.body(def.input, "  ")};`);
        out.push(`  export type OutputSchema = ${this.body(def.output, "  ")};`);
      } else if (def.type === "subscription" || def.type === "token") {
        continue;
      } else if (def.type === "record") {
        out.push(`${doc}  export type ${defName(name, def)} = ${this.object(def.record, "  ", new Set())};`);
      } else {
        out.push(`${doc}  export type ${defName(name, def)} = ${this.type(def, "  ")};`);
      }
    }
    return `export declare namespace ${nsName(this.doc.id)} {\n${out.join("\n")}\n}`;
  }
}

/** One entry of the XrpcMethods map. */
function methodEntry(doc: LexiconDoc): string | undefined {
  const main = doc.defs.main as Def;
  if (!main || (main.type !== "query" && main.type !== "procedure")) return undefined;
  const ns = doc.id.startsWith("net.openfederation.") ? nsName(doc.id) : `AtApi.${nsName(doc.id)}`;
  const defaulted = Object.entries((main.parameters?.properties ?? {}) as Record<string, Def>)
    .filter(([, p]) => p.default !== undefined)
    .map(([k]) => str(k));
  const enc = (b: Def | undefined) => (b ? str(b.encoding) : "undefined");
  // @atproto/api declares InputSchema/OutputSchema only for JSON bodies; ours always declare all three.
  const part = (name: string, b: Def | undefined) => (!b ? "undefined" : !isJson(b.encoding) ? "NonJsonBody" : b.schema ? `${ns}.${name}` : "undefined");
  return [
    `  ${str(doc.id)}: {`,
    `    params: ${main.parameters ? `${ns}.QueryParams` : "{}"};`,
    `    defaulted: ${defaulted.length ? defaulted.join(" | ") : "never"};`,
    `    input: ${part("InputSchema", main.input)};`,
    `    output: ${part("OutputSchema", main.output)};`,
    `    inputEncoding: ${enc(main.input)};`,
    `    outputEncoding: ${enc(main.output)};`,
    `  };`,
  ].join("\n");
}

const HEADER = `// GENERATED by scripts/gen-lexicon-types.ts from lexicons/net/openfederation/ and @atproto/api's com.atproto.* lexicons. Do not edit.
// Regenerate with \`bun scripts/gen-lexicon-types.ts\`; test/lexicon-types.test.ts fails while this file is stale.
import type * as AtApi from "@atproto/api";

/** A blob reference as it travels in JSON (the AT data model's blob object). */
export interface BlobJson {
  $type: "blob";
  ref: { $link: string };
  mimeType: string;
  size: number;
}

/** Marks a body that is not JSON (CAR files, blobs): the XRPC layer gives handlers bytes or a stream for it. */
export interface NonJsonBody {
  readonly nonJson: true;
}
`;

/** The whole generated file for these documents (pure: the freshness test compares it with the checked-in file). */
export function generate(ours: LexiconDoc[], atproto: LexiconDoc[]): string {
  const docs = new Map<string, LexiconDoc>([...atproto, ...ours].map((d) => [d.id, d]));
  const byId = (a: LexiconDoc, b: LexiconDoc) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const sortedOurs = [...ours].sort(byId);
  const namespaces = sortedOurs.map((d) => new Emitter(d, docs).namespace());
  const methods = [...atproto.filter((d) => (d.id.startsWith("com.atproto.") || d.id.startsWith("app.bsky."))), ...ours].sort(byId).flatMap((d) => methodEntry(d) ?? []);
  return [
    HEADER,
    ...namespaces.map((n) => n + "\n"),
    "/** Every query and procedure: its query parameters (and which have lexicon defaults), JSON input and output, and body encodings. */",
    `export interface XrpcMethods {\n${methods.join("\n")}\n}\n`,
  ].join("\n");
}

/** The file as the current lexicons/ and the pinned @atproto/api produce it. */
export async function generateCurrent(): Promise<string> {
  return generate(ofpdsLexicons, await extractAtprotoLexicons());
}

if (import.meta.main) {
  writeFileSync(GENERATED_PATH, await generateCurrent());
  console.log(`wrote ${GENERATED_PATH}`);
}
