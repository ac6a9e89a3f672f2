// The §3 validator: given a DID's stored log and a proposed op, accept it (with what it nullifies) or
// throw the first failing rule's PlcError. Pure: no I/O, the clock is a parameter.
import { cidForDigest, didForDigest, encodeCbor, isCanonicalOpCid, sha256, unsignedBytes } from "./encoding.ts";
import {
  PlcError,
  genesisHashError,
  invalidSignature,
  lateRecovery,
  lostRace,
  misordered,
  notValidOperation,
} from "./errors.ts";
import { opData } from "./normalize.ts";
import { assertOpLimits, assertOpSchema, MAX_OP_CBOR_BYTES } from "./schema.ts";
import { findSignerIndex, parseSignature } from "./sig.ts";
import { DAY_MS, HOUR_MS, RECOVERY_WINDOW_MS, type AnyOp, type LogEntry } from "./types.ts";

export interface ValidateOptions {
  /** "post": HTTP submission (rate limits, 409 on lost races); "import": replay of recorded ops */
  mode: "post" | "import";
  /** The op's time in ms since the epoch: the server clock on POST, the recorded createdAt on import. */
  time: number;
}

export interface ValidatedOp {
  operation: AnyOp;
  cid: string;
  /** CID of the live head the op was validated against (null for genesis) */
  head: string | null;
  /** CIDs of the live ops this op nullifies, oldest first */
  nullifies: string[];
}

/** Validate `input` as the next operation of `did`, whose full audit log (incl. nullified) is `log`. */
export async function validateOp(
  did: string,
  log: readonly LogEntry[],
  input: unknown,
  opts: ValidateOptions,
): Promise<ValidatedOp> {
  // §3.2 size, before the schema, on whatever JSON was submitted.
  let cbor: Uint8Array;
  try {
    cbor = encodeCbor(input);
  } catch {
    throw notValidOperation("not encodable as DAG-CBOR");
  }
  if (cbor.byteLength > MAX_OP_CBOR_BYTES)
    throw new PlcError(400, `Operation too large (${MAX_OP_CBOR_BYTES} bytes maximum in cbor encoding)`, "too_large");

  // §3.3 schema, §3.4 limits.
  assertOpSchema(input, opts.mode === "import");
  const op = input;
  if (op.type === "plc_operation") assertOpLimits(op);

  // §3.5 signature format; verification happens below against the keys that apply.
  const sig = parseSignature(op.sig);
  if (!sig) throw invalidSignature(op);
  const signed = unsignedBytes(op as unknown as Record<string, unknown>);

  const digest = sha256(cbor);
  const cid = cidForDigest(digest);
  const live = log.filter((e) => !e.nullified);

  // §3.6 genesis.
  if (live.length === 0 && log.length === 0) {
    if (op.type === "plc_tombstone") throw misordered();
    const data = opData(op)!;
    if ((await findSignerIndex(data.rotationKeys, signed, sig)) < 0) throw invalidSignature(op);
    const expected = didForDigest(digest);
    if (did !== expected) throw genesisHashError(expected);
    if (op.prev !== null) throw misordered("genesis prev must be null");
    return { operation: op, cid, head: null, nullifies: [] };
  }

  // §3.7 update.
  const head = live.at(-1)?.cid ?? null;
  if (op.type === "create" || op.prev === null) throw misordered();
  if (!isCanonicalOpCid(op.prev)) throw misordered();
  const prevIndex = live.findIndex((e) => e.cid === op.prev);
  if (prevIndex < 0) throw misordered();
  const prevEntry = live[prevIndex]!;
  const prevData = opData(prevEntry.operation);
  if (!prevData) throw misordered(); // prev is a tombstone
  const keys = prevData.rotationKeys;
  const toNullify = live.slice(prevIndex + 1);

  if (toNullify.length === 0) {
    if ((await findSignerIndex(keys, signed, sig)) < 0) throw invalidSignature(op);
    if (opts.mode === "post") assertOpRateLimit(live, opts.time);
    return { operation: op, cid, head, nullifies: [] };
  }

  // Nullification: the signer must outrank (lower index in prev's keys) the first nullified op's signer.
  const first = toNullify[0]!;
  const disputed = await signerIndexOf(keys, first.operation);
  const signer = await findSignerIndex(keys, signed, sig);
  if (signer < 0) throw invalidSignature(op);
  if (signer >= disputed) {
    // Same or lower authority forking from an older op: on POST this is an append that lost a race
    // against a concurrent one on the same prev (409); in a recorded log it is just an invalid op.
    if (opts.mode === "post") throw lostRace(head);
    throw invalidSignature(op);
  }
  const newest = Math.max(...log.map((e) => Date.parse(e.createdAt)));
  if (!(opts.time > newest)) throw misordered("recovery operation must be newer than the most recent operation");
  const lapsed = opts.time - Date.parse(first.createdAt);
  if (lapsed > RECOVERY_WINDOW_MS) throw lateRecovery(lapsed);
  // Nullifying ops are exempt from §3.8 so that recovery can never be rate-limited away.
  return { operation: op, cid, head, nullifies: toNullify.map((e) => e.cid) };
}

/** Index in `keys` of the key that signed a stored op; keys.length when none does (anyone in keys outranks). */
async function signerIndexOf(keys: readonly string[], op: AnyOp): Promise<number> {
  const sig = parseSignature(op.sig);
  if (!sig) return keys.length;
  const idx = await findSignerIndex(keys, unsignedBytes(op as unknown as Record<string, unknown>), sig);
  return idx < 0 ? keys.length : idx;
}

const OP_RATE_LIMITS = [
  { window: HOUR_MS, max: 10, label: "hour" },
  { window: DAY_MS, max: 30, label: "day" },
  { window: 7 * DAY_MS, max: 100, label: "week" },
] as const;

/** §3.8 per-DID limits over live ops ("To many" is the reference wording, kept for conformance). */
export function assertOpRateLimit(live: readonly LogEntry[], now: number): void {
  for (const { window, max, label } of OP_RATE_LIMITS) {
    const since = now - window;
    let count = 0;
    for (const e of live) if (Date.parse(e.createdAt) > since) count++;
    if (count >= max) throw new PlcError(400, `To many operations within last ${label} (max ${max})`, "op_rate_limit");
  }
}
