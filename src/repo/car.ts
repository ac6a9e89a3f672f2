// Minimal CAR v1 writer: header + (varint, CID bytes, block bytes) sections, batched into large chunks for streaming.
import * as dagCbor from "@ipld/dag-cbor";
import type { CID } from "multiformats/cid";

function varint(n: number): Uint8Array {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Uint8Array.from(out);
}

export function carHeader(root: CID | null): Uint8Array {
  const header = dagCbor.encode({ version: 1, roots: root ? [root] : [] });
  return concat([varint(header.byteLength), header]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.byteLength;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.byteLength;
  }
  return out;
}

/** Accumulates CAR sections and hands out chunks of at least `chunkSize` bytes. */
export class CarWriter {
  private parts: Uint8Array[] = [];
  private size = 0;

  constructor(root: CID | null, private readonly chunkSize = 256 * 1024) {
    this.push(carHeader(root));
  }

  private push(part: Uint8Array) {
    this.parts.push(part);
    this.size += part.byteLength;
  }

  add(cidBytes: Uint8Array, bytes: Uint8Array): void {
    this.push(varint(cidBytes.byteLength + bytes.byteLength));
    this.push(cidBytes);
    this.push(bytes);
  }

  /** A chunk when enough bytes are buffered (or `force`), else null. */
  take(force = false): Uint8Array | null {
    if (this.size === 0 || (!force && this.size < this.chunkSize)) return null;
    const out = concat(this.parts);
    this.parts = [];
    this.size = 0;
    return out;
  }
}

/** A whole CAR in memory (event bodies, proofs: small). */
export function blocksToCar(root: CID | null, blocks: Iterable<{ cid: CID; bytes: Uint8Array }>): Uint8Array {
  const w = new CarWriter(root);
  for (const b of blocks) w.add(b.cid.bytes, b.bytes);
  return w.take(true)!;
}
