// Snapshot files under <DATA_DIR>/exports/<did>/: durable writes (temp file, fsync, rename, fsync dir), reads, deletes.
import { createHash, randomBytes } from "node:crypto";
import { mkdir, open, readdir, rename, rmdir, unlink } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import * as dagCbor from "@ipld/dag-cbor";
import { CID } from "multiformats/cid";

export interface WrittenSnapshot {
  storageKey: string;
  sizeBytes: number;
  sha256: string;
  rootCid: string;
  rev: string;
}

/** A write that failed, with a message safe for lastError and the audit log (no absolute server paths). */
export class SnapshotWriteError extends Error {}

const TEMP_MARK = ".tmp-";

/** `20261203T131935123Z`: the UTC timestamp of a snapshot's file name (sortable, no colons). */
export function fileStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:.]/g, "");
}

function readVarint(bytes: Uint8Array, offset: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  for (let i = offset; i < bytes.length && i < offset + 9; i++) {
    const b = bytes[i]!;
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [value, i + 1];
    shift += 7;
  }
  throw new SnapshotWriteError("the repo CAR is truncated");
}

/**
 * The root CID and rev of a repo CAR from its first bytes: the header names the root, and our CAR writer puts
 * the signed commit first. Read from the CAR itself, so the recorded rev is the one the file holds even when a
 * commit lands while the snapshot is written.
 */
export function carCommitInfo(prefix: Uint8Array): { rootCid: string; rev: string } {
  try {
    return readCommitInfo(prefix);
  } catch (err) {
    if (err instanceof SnapshotWriteError) throw err;
    throw new SnapshotWriteError("the repo CAR could not be decoded");
  }
}

function readCommitInfo(prefix: Uint8Array): { rootCid: string; rev: string } {
  const [headerLen, h] = readVarint(prefix, 0);
  const header = dagCbor.decode(prefix.subarray(h, h + headerLen)) as { roots?: CID[] };
  const root = header.roots?.[0];
  if (!root) throw new SnapshotWriteError("the repo CAR has no root");
  const [sectionLen, s] = readVarint(prefix, h + headerLen);
  const section = prefix.subarray(s, s + sectionLen);
  if (section.byteLength < sectionLen) throw new SnapshotWriteError("the repo CAR's commit block is truncated");
  const [cid, block] = CID.decodeFirst(section);
  if (!cid.equals(root)) throw new SnapshotWriteError("the repo CAR does not start with its commit");
  const commit = dagCbor.decode(block) as { rev?: unknown };
  if (typeof commit.rev !== "string") throw new SnapshotWriteError("the repo commit has no rev");
  return { rootCid: root.toString(), rev: commit.rev };
}

/** What a failed filesystem call says, without the absolute path: `ENOTDIR (mkdir exports/did:plc:…)`. */
function describe(err: unknown, what: string): string {
  if (err instanceof SnapshotWriteError) return err.message;
  const e = err as NodeJS.ErrnoException;
  return `${e.code ?? "error"} (${e.syscall ?? "write"} ${what})`;
}

const PREFIX_BYTES = 64 * 1024;

export class SnapshotStore {
  readonly root: string;

  /** `root`: config.exportsDir (<DATA_DIR>/exports, or <BLOB_DIR>/exports when BLOB_DIR is set) */
  constructor(root: string) {
    this.root = resolve(root);
  }

  /** The absolute path of a storage key; refuses keys that would leave the exports directory. */
  pathOf(storageKey: string): string {
    const p = resolve(this.root, storageKey);
    if (!p.startsWith(this.root + sep)) throw new Error("storage key outside the exports directory");
    return p;
  }

  /**
   * Writes the CAR to `<did>/<stamp>-<rev>.car`. Why temp + fsync + rename + fsync(dir): a crash leaves either
   * no file or the complete one under its final name, never a torn CAR a restore would trust.
   */
  async write(did: string, car: ReadableStream<Uint8Array>, at: number): Promise<WrittenSnapshot> {
    const relDir = `exports/${did}`;
    const dir = this.pathOf(did);
    // Why cancel on every failure: the CAR stream holds a read transaction open until it is read to the end or cancelled
    const reader = car.getReader();
    let drained = false;
    const temp = join(dir, `${TEMP_MARK}${randomBytes(6).toString("hex")}`);
    let tempCreated = false;
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const hash = createHash("sha256");
      let sizeBytes = 0;
      const prefix: Uint8Array[] = [];
      let prefixLen = 0;
      const fh = await open(temp, "wx", 0o600);
      tempCreated = true;
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          hash.update(value);
          sizeBytes += value.byteLength;
          if (prefixLen < PREFIX_BYTES) {
            prefix.push(value);
            prefixLen += value.byteLength;
          }
          let off = 0;
          while (off < value.byteLength) off += (await fh.write(value, off)).bytesWritten;
        }
        drained = true;
        await fh.sync();
      } finally {
        await fh.close();
      }
      const { rootCid, rev } = carCommitInfo(Buffer.concat(prefix));
      const name = `${fileStamp(at)}-${rev}.car`;
      await rename(temp, join(dir, name));
      tempCreated = false;
      await syncDir(dir);
      return { storageKey: `${did}/${name}`, sizeBytes, sha256: hash.digest("hex"), rootCid, rev };
    } catch (err) {
      if (!drained) await reader.cancel().catch(() => {});
      if (tempCreated) await unlink(temp).catch(() => {});
      throw new SnapshotWriteError(describe(err, relDir));
    }
  }

  /** Deletes snapshot files (already gone is fine); removes the community's directory once empty. */
  async remove(storageKeys: string[], did?: string): Promise<void> {
    for (const key of storageKeys) await unlink(this.pathOf(key)).catch(() => {});
    if (did !== undefined) await rmdir(this.pathOf(did)).catch(() => {});
  }

  /**
   * Leftovers of a crash in `<did>/`: temp files, and `.car` files no row names (a crash between the rename and
   * the row's commit). Only called by the scheduler, which never overlaps itself, before it writes.
   */
  async sweep(did: string, known: ReadonlySet<string>): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.pathOf(did));
    } catch {
      return; // no directory yet
    }
    for (const name of names) {
      const stale = name.startsWith(TEMP_MARK) || (name.endsWith(".car") && !known.has(`${did}/${name}`));
      if (stale) await unlink(join(this.pathOf(did), name)).catch(() => {});
    }
  }

  /** An open read stream of a snapshot file, or undefined when the file is gone. */
  async read(storageKey: string): Promise<ReadableStream<Uint8Array> | undefined> {
    try {
      const fh = await open(this.pathOf(storageKey), "r");
      // the open handle keeps the bytes readable even if retention unlinks the file meanwhile
      return fileStream(fh);
    } catch {
      return undefined;
    }
  }
}

async function syncDir(dir: string): Promise<void> {
  const dh = await open(dir, "r");
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}

function fileStream(fh: Awaited<ReturnType<typeof open>>): ReadableStream<Uint8Array> {
  const CHUNK = 256 * 1024;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const buf = new Uint8Array(CHUNK);
      const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) {
        await fh.close();
        controller.close();
        return;
      }
      controller.enqueue(buf.subarray(0, bytesRead));
    },
    async cancel() {
      await fh.close();
    },
  });
}
