// Firehose frame encoding (spec 03 §7): one binary message = DAG-CBOR header + DAG-CBOR body.
import * as dagCbor from "@ipld/dag-cbor";
import type { SeqEvent } from "../sequencer/index.ts";

const headers = new Map<string, Uint8Array>();

/** `{op:1, t}` encoded once per type: every frame of a type shares the same header bytes. */
function headerFor(t: string): Uint8Array {
  let h = headers.get(t);
  if (!h) headers.set(t, (h = dagCbor.encode({ op: 1, t })));
  return h;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** A stored event as a frame: the body is already DAG-CBOR (seq included), so this is only a concatenation. */
export function eventFrame(event: Pick<SeqEvent, "type" | "body">): Uint8Array {
  return concat(headerFor(event.type), event.body);
}

/** `#info` frame (not stored, not sequenced). */
export function infoFrame(name: string, message?: string): Uint8Array {
  return concat(headerFor("#info"), dagCbor.encode(message === undefined ? { name } : { name, message }));
}

const ERROR_HEADER = dagCbor.encode({ op: -1 });

/** Error frame `{op:-1}` + `{error, message?}`; the sender closes the socket right after it. */
export function errorFrame(error: string, message?: string): Uint8Array {
  return concat(ERROR_HEADER, dagCbor.encode(message === undefined ? { error } : { error, message }));
}
