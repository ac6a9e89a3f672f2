// A minimal streaming tar.gz (POSIX ustar + pax `path` records) writer and reader: regular files only, no new dependency.
import { createReadStream, createWriteStream, mkdirSync, openSync, type WriteStream } from "node:fs";
import { dirname, join, normalize, sep } from "node:path";
import { createGunzip, createGzip, type Gzip } from "node:zlib";
import { once } from "node:events";

const BLOCK = 512;

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, "0") + "\0";
}

function header(name: string, size: number, type: "0" | "x", mtime: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name.slice(0, 99), 0, "utf8");
  h.write(octal(0o600, 8), 100);
  h.write(octal(0, 8), 108);
  h.write(octal(0, 8), 116);
  h.write(octal(size, 12), 124);
  h.write(octal(Math.floor(mtime / 1000), 12), 136);
  h.write("        ", 148); // checksum field counts as spaces while summing
  h.write(type, 156);
  h.write("ustar\u000000", 257, "binary");
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + " ", 148);
  return h;
}

const padding = (size: number) => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);

/** Writes entries in order into a gzip stream on `path` (created 0600, never over an existing file). */
export class TarGzWriter {
  private readonly gzip: Gzip;
  private readonly file: WriteStream;
  private readonly closed: Promise<void>;

  constructor(path: string) {
    // opened synchronously, so an existing file (or a missing directory) is an error here, not a late stream event
    this.file = createWriteStream("", { fd: openSync(path, "wx", 0o600) });
    this.gzip = createGzip();
    this.gzip.pipe(this.file);
    this.closed = new Promise((resolve, reject) => {
      this.file.on("close", resolve);
      this.file.on("error", reject);
      this.gzip.on("error", reject);
    });
    // observed by finish(); an aborted archive's errors are not news
    this.closed.catch(() => {});
  }

  private async write(chunk: Buffer | Uint8Array): Promise<void> {
    if (!this.gzip.write(chunk)) await once(this.gzip, "drain");
  }

  private async entryHeader(name: string, size: number): Promise<void> {
    if (Buffer.byteLength(name) > 99) {
      // pax extended header: "<len> path=<name>\n", where len counts the whole record
      const body = (n: number) => `${n} path=${name}\n`;
      let len = Buffer.byteLength(body(0));
      while (Buffer.byteLength(body(len)) !== len) len = Buffer.byteLength(body(len));
      const rec = Buffer.from(body(len));
      await this.write(header("PaxHeader", rec.length, "x", Date.now()));
      await this.write(rec);
      await this.write(padding(rec.length));
    }
    await this.write(header(name, size, "0", Date.now()));
  }

  async addBytes(name: string, bytes: Uint8Array): Promise<void> {
    await this.entryHeader(name, bytes.byteLength);
    await this.write(bytes);
    await this.write(padding(bytes.byteLength));
  }

  /** Streams a file of known size; returns its SHA-256 (hex) computed on the bytes written. */
  async addFile(name: string, path: string, size: number): Promise<string> {
    await this.entryHeader(name, size);
    const hasher = new Bun.CryptoHasher("sha256");
    let written = 0;
    for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
      const part = written + chunk.length > size ? chunk.subarray(0, size - written) : chunk;
      hasher.update(part);
      await this.write(part);
      written += part.length;
      if (written >= size) break;
    }
    if (written !== size) throw new Error(`${name} changed size while it was archived`);
    await this.write(padding(size));
    return hasher.digest("hex");
  }

  async finish(): Promise<void> {
    await this.write(Buffer.alloc(BLOCK * 2));
    this.gzip.end();
    await this.closed;
  }

  /** Abandons the archive (the caller removes the partial file). */
  async abort(): Promise<void> {
    this.gzip.destroy();
    this.file.destroy();
  }
}

export class ArchiveFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ArchiveFormatError";
  }
}

/** An entry name that stays inside the extraction directory (no absolute path, no `..`). */
export function safeEntryName(name: string): string {
  const n = normalize(name);
  if (!name || name.startsWith("/") || n.startsWith("..") || n.split(sep).includes("..")) throw new ArchiveFormatError(`unsafe path in archive: ${name}`);
  return n;
}

/**
 * Extracts every regular file of a tar.gz under `dir`, returning each entry's name, size and SHA-256. Anything but
 * regular files and pax headers (links, devices) is refused, so an archive cannot write outside `dir`.
 */
export async function extractTarGz(archive: string, dir: string): Promise<Map<string, { size: number; sha256: string }>> {
  const entries = new Map<string, { size: number; sha256: string }>();
  let buf: Buffer = Buffer.alloc(0);
  let state: { kind: "header" } | { kind: "body"; name: string; left: number; pad: number; out?: WriteStream; hasher?: InstanceType<typeof Bun.CryptoHasher>; size: number; pax?: Buffer[]; skip?: boolean } = { kind: "header" };
  let paxPath: string | undefined;
  let ended = false;
  const stream = createReadStream(archive).pipe(createGunzip());
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      for (;;) {
        if (ended) break;
        if (state.kind === "header") {
          if (buf.length < BLOCK) break;
          const h = buf.subarray(0, BLOCK);
          buf = buf.subarray(BLOCK);
          if (h.every((b) => b === 0)) {
            ended = true;
            break;
          }
          const size = parseInt(h.subarray(124, 136).toString("binary").replace(/\0.*$/, "").trim() || "0", 8);
          const type = String.fromCharCode(h[156]!);
          const rawName = h.subarray(0, 100).toString("utf8").replace(/\0.*$/s, "");
          if (Number.isNaN(size)) throw new ArchiveFormatError("corrupt tar header");
          const pad = (BLOCK - (size % BLOCK)) % BLOCK;
          if (type === "x" || type === "g") {
            // pax records; only a per-entry `path` matters here (global headers are read and ignored)
            state = { kind: "body", name: "", left: size, pad, size, pax: type === "x" ? [] : undefined, skip: type === "g" };
          } else if (type === "5") {
            // a directory (an archive repacked with tar(1)): directories are made as files need them
            safeEntryName(paxPath ?? rawName);
            paxPath = undefined;
            if (size !== 0) throw new ArchiveFormatError(`directory entry ${rawName} has a size`);
          } else if (type === "0" || type === "\0") {
            const name = safeEntryName(paxPath ?? rawName);
            paxPath = undefined;
            const path = join(dir, name);
            mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
            const out = createWriteStream("", { fd: openSync(path, "wx", 0o600) });
            // a write error surfaces at the entry's close below; without a listener it would crash the process
            out.on("error", () => {});
            state = { kind: "body", name, left: size, pad, size, out, hasher: new Bun.CryptoHasher("sha256") };
          } else {
            throw new ArchiveFormatError(`unsupported entry type ${JSON.stringify(type)} for ${rawName}`);
          }
        } else {
          const s = state;
          if (s.left > 0) {
            if (buf.length === 0) break;
            const part = buf.subarray(0, Math.min(s.left, buf.length));
            buf = buf.subarray(part.length);
            s.left -= part.length;
            if (s.pax) s.pax.push(Buffer.from(part));
            else if (s.skip) {
              // global pax header body: ignored
            } else {
              s.hasher!.update(part);
              if (!s.out!.write(part)) await once(s.out!, "drain");
            }
            if (s.left > 0) continue;
          }
          if (buf.length < s.pad) break;
          buf = buf.subarray(s.pad);
          if (s.pax) {
            const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(Buffer.concat(s.pax).toString("utf8"));
            if (m) paxPath = m[1];
          } else if (s.skip) {
            // nothing to keep
          } else {
            s.out!.end();
            await once(s.out!, "close");
            entries.set(s.name, { size: s.size, sha256: s.hasher!.digest("hex") });
          }
          state = { kind: "header" };
        }
      }
    }
  } catch (err) {
    if (state.kind === "body") state.out?.destroy();
    if (err instanceof ArchiveFormatError) throw err;
    throw new ArchiveFormatError(`the archive cannot be read: ${(err as Error).message}`);
  }
  if (state.kind === "body" || !ended) throw new ArchiveFormatError("the archive is truncated");
  return entries;
}
