// The backup archive's tar.gz: round trip with long (pax) names and large files, readable by tar(1); entries that
// would escape the extraction directory, links and truncation are refused.
import { expect, test } from "bun:test";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { extractTarGz, TarGzWriter } from "../../src/operator/backup/tar.ts";
import { tempDirs } from "../_support/process.ts";

const dir = tempDirs("ofpds-tar-");
const LONG = `blobs/ab/did:plc:${"a".repeat(24)}/bafkrei${"b".repeat(52)}`;

test("round trip: names over 99 bytes, a 300 KB file, SHA-256s, mode 0600, and tar(1) lists the same names", async () => {
  const d = dir();
  const big = crypto.getRandomValues(new Uint8Array(300_000));
  writeFileSync(join(d, "big"), big);
  const w = new TarGzWriter(join(d, "a.tar.gz"));
  await w.addBytes("manifest.json", Buffer.from("{}"));
  const sha = await w.addFile(LONG, join(d, "big"), big.length);
  await w.finish();
  expect(sha).toBe(new Bun.CryptoHasher("sha256").update(big).digest("hex"));
  expect(statSync(join(d, "a.tar.gz")).mode & 0o777).toBe(0o600);
  const listed = Bun.spawnSync(["tar", "tzf", join(d, "a.tar.gz")]).stdout.toString().trim().split("\n");
  expect(listed).toEqual(["manifest.json", LONG]);
  const entries = await extractTarGz(join(d, "a.tar.gz"), join(d, "out"));
  expect(entries.get(LONG)).toEqual({ size: big.length, sha256: sha });
  expect(Buffer.from(readFileSync(join(d, "out", LONG))).equals(Buffer.from(big))).toBe(true);
  // an existing archive is never overwritten
  expect(() => new TarGzWriter(join(d, "a.tar.gz"))).toThrow("EEXIST");
  expect(readFileSync(join(d, "a.tar.gz")).length).toBeGreaterThan(0);
});

/** A raw one-entry tar with a chosen name and type, gzipped. */
function rawTar(name: string, type: string, body = Buffer.from("x")): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0);
  h.write("0000600\0", 100);
  h.write("0000000\0", 108);
  h.write("0000000\0", 116);
  h.write(body.length.toString(8).padStart(11, "0") + "\0", 124);
  h.write("00000000000\0", 136);
  h.write("        ", 148);
  h.write(type, 156);
  h.write("ustar\u000000", 257, "binary");
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
  const pad = Buffer.alloc((512 - (body.length % 512)) % 512);
  return gzipSync(Buffer.concat([h, body, pad, Buffer.alloc(1024)]));
}

test.each([
  ["../escape", "0", "unsafe path in archive: ../escape"],
  ["/etc/passwd-x", "0", "unsafe path in archive: /etc/passwd-x"],
  ["a/../../escape", "0", "unsafe path in archive: a/../../escape"],
  ["link", "2", 'unsupported entry type "2" for link'],
  ["hard", "1", 'unsupported entry type "1" for hard'],
])("%s (type %s) is refused and nothing is written outside", async (name, type, message) => {
  const d = dir();
  const archive = join(d, "bad.tar.gz");
  writeFileSync(archive, rawTar(name, type));
  await expect(extractTarGz(archive, join(d, "out"))).rejects.toThrow(message);
  expect(existsSync(join(d, "escape"))).toBe(false);
});

test("a truncated archive is refused", async () => {
  const d = dir();
  writeFileSync(join(d, "f"), crypto.getRandomValues(new Uint8Array(50_000)));
  const w = new TarGzWriter(join(d, "a.tar.gz"));
  await w.addFile("f", join(d, "f"), 50_000);
  await w.finish();
  const bytes = readFileSync(join(d, "a.tar.gz"));
  writeFileSync(join(d, "cut.tar.gz"), bytes.subarray(0, bytes.length - 200));
  await expect(extractTarGz(join(d, "cut.tar.gz"), join(d, "out"))).rejects.toThrow(/truncated|cannot be read/);
});
