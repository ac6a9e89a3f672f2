// Blob files on disk: <dataDir>/blobs/<did-shard>/<did>/<cid>, written through a temp file while hashing.
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, existsSync } from "node:fs";
import { join } from "node:path";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { create as createDigest } from "multiformats/hashes/digest";
import { SNIFF_BYTES } from "./mime.ts";

const SHA2_256 = 0x12;

/** The upload went past the cap; the temp file is already gone. */
export class BlobTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`Blob exceeds ${maxBytes} bytes`);
  }
}

export interface TempBlob {
  path: string;
  cid: CID;
  size: number;
  /** the first bytes, for MIME sniffing */
  head: Uint8Array;
}

export class BlobFiles {
  readonly root: string;
  private readonly tmp: string;

  /** `root`: BLOB_DIR (default <DATA_DIR>/blobs), a volume several cluster processes may share */
  constructor(root: string) {
    this.root = root;
    this.tmp = join(this.root, "tmp");
    mkdirSync(this.tmp, { recursive: true });
  }

  /** Where a repo's blob lives. The shard spreads repos over 256 directories. */
  path(did: string, cid: string): string {
    return join(this.root, shardOf(did), did, cid);
  }

  /**
   * Streams the body to a temp file while computing SHA-256, the size and the first bytes. Past `maxBytes`
   * the stream is cancelled, the temp file removed and BlobTooLargeError thrown.
   */
  async writeTemp(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<TempBlob> {
    const path = join(this.tmp, crypto.randomUUID());
    const sink = Bun.file(path).writer({ highWaterMark: 1 << 20 });
    const hasher = new Bun.CryptoHasher("sha256");
    const head = new Uint8Array(SNIFF_BYTES);
    let size = 0;
    try {
      if (body) {
        const reader = body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          if (size < SNIFF_BYTES) head.set(value.subarray(0, SNIFF_BYTES - size), size);
          size += value.byteLength;
          if (size > maxBytes) {
            await reader.cancel().catch(() => {});
            throw new BlobTooLargeError(maxBytes);
          }
          hasher.update(value);
          await sink.write(value);
        }
      }
      await sink.end();
    } catch (err) {
      await Promise.resolve(sink.end()).catch(() => {});
      rmSync(path, { force: true });
      throw err;
    }
    const cid = CID.createV1(raw.code, createDigest(SHA2_256, hasher.digest() as Uint8Array));
    return { path, cid, size, head: head.subarray(0, Math.min(size, SNIFF_BYTES)) };
  }

  /** Moves a finished temp file to its place (same filesystem: an atomic rename). */
  commit(temp: TempBlob, did: string): void {
    const dest = this.path(did, temp.cid.toString());
    mkdirSync(join(this.root, shardOf(did), did), { recursive: true });
    renameSync(temp.path, dest);
  }

  exists(did: string, cid: string): boolean {
    return existsSync(this.path(did, cid));
  }

  discard(path: string): void {
    rmSync(path, { force: true });
  }

  remove(did: string, cid: string): void {
    rmSync(this.path(did, cid), { force: true });
  }

  /** Removes the repo's (now empty) blob directory; anything left in it goes too (account deletion). */
  removeRepoDir(did: string): void {
    rmSync(join(this.root, shardOf(did), did), { recursive: true, force: true });
  }

  /** Removes temp files left by a crash mid-upload (older than `olderThanMs`). */
  sweepTemp(olderThanMs: number, now = Date.now()): number {
    let n = 0;
    for (const name of readdirSync(this.tmp)) {
      const p = join(this.tmp, name);
      try {
        if (now - statSync(p).mtimeMs > olderThanMs) {
          rmSync(p, { force: true });
          n++;
        }
      } catch {
        // already gone
      }
    }
    return n;
  }
}

/** Two hex digits of SHA-256(did). */
export function shardOf(did: string): string {
  return new Bun.CryptoHasher("sha256").update(did).digest("hex").slice(0, 2);
}
