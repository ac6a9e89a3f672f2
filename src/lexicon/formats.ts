// AT Protocol string formats we check ourselves (spec 10 §8 items 2–4): datetime, cid, uri; blob `accept`/`maxSize`,
// which the library validator skips (10 §7); and the schema walk that applies them.
import type { Lexicons, LexiconDoc } from "@atproto/lexicon";
import { isValidDatetime } from "@atproto/syntax";

/** Formats whose library check differs from the AT spec: the library copy of the docs has them removed. */
export const OWN_FORMATS = new Set(["datetime", "cid", "uri"]);

/**
 * AT Protocol datetime: the syntax package's check (`T`, seconds, a timezone, no `-00:00`) plus a calendar
 * check it lacks (`1985-02-30` is refused rather than rolled over into March).
 */
export function isAtDatetime(value: string): boolean {
  if (!isValidDatetime(value)) return false;
  const m = /^(\d{4})-(\d{2})-(\d{2})T/.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  return day.getUTCMonth() === mo - 1 && day.getUTCDate() === d;
}

/** AT cid syntax: 8–256 of `[a-zA-Z0-9+=]`, and not CIDv0 (`Qm…`). Syntax only: a valid string may decode to nothing. */
export function isAtCid(value: string): boolean {
  return /^[a-zA-Z0-9+=]{8,256}$/.test(value) && !value.startsWith("Qm");
}

/** RFC 3986 shape: scheme `ALPHA *(ALPHA / DIGIT / "+" / "-" / ".")`, `:`, a non-empty rest without whitespace, ≤ 8192 chars. */
export function isUriFormat(value: string): boolean {
  return value.length <= 8192 && /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(value);
}

const CHECKS: Record<string, { ok: (v: string) => boolean; says: string }> = {
  datetime: { ok: isAtDatetime, says: "must be an AT Protocol datetime (e.g. 1985-04-12T23:20:50.123Z)" },
  cid: { ok: isAtCid, says: "must be a cid string" },
  uri: { ok: isUriFormat, says: "must be a uri" },
};

/** The message for a value that breaks `format`, or undefined when it conforms (or the format is not ours). */
export function formatProblem(format: string | undefined, value: unknown): string | undefined {
  const check = format ? CHECKS[format] : undefined;
  return check && typeof value === "string" && !check.ok(value) ? check.says : undefined;
}

/** A deep copy of the docs without our formats, for the library validator (which would apply its own versions). */
export function withoutOwnFormats(docs: LexiconDoc[]): LexiconDoc[] {
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (node === null || typeof node !== "object") return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === "format" && typeof v === "string" && OWN_FORMATS.has(v)) continue;
      out[k] = strip(v);
    }
    return out;
  };
  return docs.map((d) => strip(d) as LexiconDoc);
}

type Node = {
  type: string;
  format?: string;
  properties?: Record<string, Node>;
  items?: Node;
  ref?: string;
  refs?: string[];
  record?: Node;
  accept?: string[];
  maxSize?: number;
};

/** A blob's `accept` (exact, `type/` + star, or any) and `maxSize` constraints, on the BlobRef or the JSON form. */
export function blobProblem(node: Node, value: unknown): string | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const { mimeType, size } = value as { mimeType?: unknown; size?: unknown };
  // legacy refs (importRepo) carry no size: -1 in the lexicon form
  if (node.maxSize !== undefined && typeof size === "number" && size >= 0 && size > node.maxSize) return `must not be larger than ${node.maxSize} bytes`;
  if (node.accept && typeof mimeType === "string") {
    const ok = node.accept.some((a) => a === "*/*" || a === mimeType || (a.endsWith("/*") && mimeType.startsWith(a.slice(0, -1))));
    if (!ok) return `mimeType must be one of ${node.accept.join(", ")}`;
  }
  return undefined;
}

function resolve(ref: string, docId: string): { uri: string; docId: string } {
  const full = ref.startsWith("lex:") ? ref.slice(4) : ref.startsWith("#") ? `${docId}${ref}` : ref;
  return { uri: `lex:${full.includes("#") ? full : `${full}#main`}`, docId: full.split("#")[0]! };
}

/**
 * Walk an (otherwise lexicon-valid) value against its schema, read from the docs WITH formats, and return
 * `"<path> <problem>"` for the first string breaking one of our formats. Union members resolve by `$type`.
 */
export function findFormatProblem(lex: Lexicons, docId: string, schema: unknown, value: unknown, path: string): string | undefined {
  const node = schema as Node | undefined;
  if (!node) return undefined;
  switch (node.type) {
    case "string": {
      const p = formatProblem(node.format, value);
      return p ? `${path} ${p}` : undefined;
    }
    case "object":
    case "params": {
      if (value === null || typeof value !== "object") return undefined;
      for (const [key, sub] of Object.entries(node.properties ?? {})) {
        const found = findFormatProblem(lex, docId, sub, (value as Record<string, unknown>)[key], `${path}/${key}`);
        if (found) return found;
      }
      return undefined;
    }
    case "array": {
      if (!Array.isArray(value)) return undefined;
      for (let i = 0; i < value.length; i++) {
        const found = findFormatProblem(lex, docId, node.items, value[i], `${path}/${i}`);
        if (found) return found;
      }
      return undefined;
    }
    case "ref": {
      const r = resolve(node.ref!, docId);
      return findFormatProblem(lex, r.docId, lex.getDef(r.uri), value, path);
    }
    case "union": {
      const t = value !== null && typeof value === "object" ? (value as Record<string, unknown>).$type : undefined;
      if (typeof t !== "string") return undefined;
      const r = resolve(t, docId);
      return findFormatProblem(lex, r.docId, lex.getDef(r.uri), value, path);
    }
    case "record":
      return findFormatProblem(lex, docId, node.record, value, path);
    case "blob": {
      const p = blobProblem(node, value);
      return p ? `${path} ${p}` : undefined;
    }
    default:
      return undefined;
  }
}
