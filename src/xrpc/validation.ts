// Lexicon validation of XRPC inputs and outputs: query-param coercion, JSON bodies, strictness for our own NSIDs.
import type { Lexicons } from "@atproto/lexicon";
import { findFormatProblem, formatProblem, isAtDatetime } from "../lexicon/formats.ts";
import { invalidRequest } from "./errors.ts";
import { LexiconRegistry, type MethodDef } from "../lexicon/registry.ts";

type ParamDef = { type: string; format?: string; items?: { type: string; format?: string } };

/** Re-exported for callers that check a datetime outside a schema. */
export { isAtDatetime };

function checkFormat(name: string, format: string | undefined, value: unknown): void {
  const problem = formatProblem(format, value);
  if (problem) throw invalidRequest(`Parameter "${name}" ${problem}`);
}

function coerceScalar(name: string, type: string, raw: string): unknown {
  switch (type) {
    case "integer":
      if (!/^-?\d+$/.test(raw)) throw invalidRequest(`Parameter "${name}" must be an integer`);
      return Number(raw);
    case "boolean":
      if (raw === "true") return true;
      if (raw === "false") return false;
      throw invalidRequest(`Parameter "${name}" must be "true" or "false"`);
    default:
      return raw;
  }
}

/**
 * Turn URL query parameters into typed values using the method's lexicon: integers and booleans are
 * coerced, arrays come from repeated parameters. A repeated non-array parameter is rejected; undeclared
 * parameters are rejected for strict (net.openfederation.*) methods and dropped otherwise.
 */
export function decodeQueryParams(nsid: string, def: MethodDef, search: URLSearchParams): Record<string, unknown> {
  const props = (def.parameters?.properties ?? {}) as Record<string, ParamDef>;
  const out: Record<string, unknown> = {};
  for (const key of new Set(search.keys())) {
    const pdef = props[key];
    if (!pdef) {
      if (LexiconRegistry.isStrict(nsid)) throw invalidRequest(`Undeclared parameter "${key}"`);
      continue;
    }
    // spec 10 §8: an empty value is an absent parameter (`?cursor=&limit=` is what stock clients send)
    const values = search.getAll(key).filter((v) => v !== "");
    if (values.length === 0) continue;
    if (pdef.type === "array") {
      out[key] = values.map((v) => coerceScalar(key, pdef.items?.type ?? "string", v));
      values.forEach((v) => checkFormat(key, pdef.items?.format, v));
    } else {
      if (values.length > 1) throw invalidRequest(`Parameter "${key}" must be given once`);
      out[key] = coerceScalar(key, pdef.type, values[0]!);
      checkFormat(key, pdef.format, values[0]);
    }
  }
  return out;
}

function asInvalidRequest(err: unknown): never {
  throw invalidRequest(err instanceof Error ? err.message : "Invalid request");
}

/** Validate decoded params (applies lexicon defaults). */
export function validateParams(registry: LexiconRegistry, nsid: string, params: Record<string, unknown>): Record<string, unknown> {
  try {
    return registry.lexicons.assertValidXrpcParams(nsid, params) ?? {};
  } catch (err) {
    asInvalidRequest(err);
  }
}

/** Validate a JSON input body; strict methods also reject any field the lexicon does not declare. */
export function validateJsonInput(registry: LexiconRegistry, nsid: string, body: unknown): unknown {
  let value: unknown;
  try {
    value = registry.lexicons.assertValidXrpcInput(nsid, body);
  } catch (err) {
    asInvalidRequest(err);
  }
  const method = registry.method(nsid);
  const inputSchema = method && "input" in method ? method.input?.schema : undefined;
  if (inputSchema) {
    const problem = findFormatProblem(registry.schemas, nsid, inputSchema, value, "Input");
    if (problem) throw invalidRequest(problem);
  }
  if (LexiconRegistry.isStrict(nsid)) {
    const def = registry.method(nsid);
    const schema = def && "input" in def ? def.input?.schema : undefined;
    if (schema) {
      const field = findUndeclaredField(registry.lexicons, nsid, schema, value, "Input");
      if (field) throw invalidRequest(`${field} is not a declared field`);
    }
  }
  return value;
}

/** Validate a handler's output; throws a plain Error (never sent to clients) when it does not conform. */
export function checkOutput(registry: LexiconRegistry, nsid: string, body: unknown): void {
  registry.lexicons.assertValidXrpcOutput(nsid, body);
  if (LexiconRegistry.isStrict(nsid)) {
    const def = registry.method(nsid);
    const schema = def && "output" in def ? def.output?.schema : undefined;
    if (schema) {
      const field = findUndeclaredField(registry.lexicons, nsid, schema, body, "Output");
      if (field) throw new Error(`${field} is not a declared field`);
    }
  }
}

function resolveRef(ref: string, docId: string): { uri: string; docId: string } {
  const full = ref.startsWith("lex:") ? ref.slice(4) : ref.startsWith("#") ? `${docId}${ref}` : ref;
  const [id] = full.split("#");
  return { uri: `lex:${full}`, docId: id! };
}

type SchemaNode = { type: string; properties?: Record<string, SchemaNode>; items?: SchemaNode; ref?: string; refs?: string[] };

/**
 * Walk an (already lexicon-valid) value against its schema and return the path of the first field that
 * the schema does not declare, e.g. `Input/settings/colour`. Union members are resolved by `$type`.
 */
export function findUndeclaredField(lex: Lexicons, docId: string, schema: unknown, value: unknown, path: string): string | undefined {
  const node = schema as SchemaNode;
  if (value === null || typeof value !== "object") return undefined;
  switch (node.type) {
    case "object": {
      const props = node.properties ?? {};
      for (const [key, v] of Object.entries(value)) {
        if (!(key in props)) return `${path}/${key}`;
        const found = findUndeclaredField(lex, docId, props[key], v, `${path}/${key}`);
        if (found) return found;
      }
      return undefined;
    }
    case "array": {
      if (!Array.isArray(value)) return undefined;
      for (let i = 0; i < value.length; i++) {
        const found = findUndeclaredField(lex, docId, node.items, value[i], `${path}/${i}`);
        if (found) return found;
      }
      return undefined;
    }
    case "ref": {
      const r = resolveRef(node.ref!, docId);
      return findUndeclaredField(lex, r.docId, lex.getDef(r.uri), value, path);
    }
    case "union": {
      const { $type, ...rest } = value as Record<string, unknown>;
      if (typeof $type !== "string") return undefined;
      const r = resolveRef($type.includes("#") ? $type : `${$type}#main`, docId);
      return findUndeclaredField(lex, r.docId, lex.getDef(r.uri), rest, path);
    }
    case "record":
      return findUndeclaredField(lex, docId, (node as unknown as { record: unknown }).record, value, path);
    default:
      return undefined;
  }
}
