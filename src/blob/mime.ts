// Blob MIME types (spec 03 §5): magic-byte sniffing first, then the declared Content-Type if well formed.

/** Bytes of the file start the sniffer looks at. */
export const SNIFF_BYTES = 64;

const ascii = (b: Uint8Array, at: number, s: string): boolean => {
  if (b.length < at + s.length) return false;
  for (let i = 0; i < s.length; i++) if (b[at + i] !== s.charCodeAt(i)) return false;
  return true;
};

// ISO BMFF (`ftyp` box): AVIF, HEIC and MP4 share the container; the brands tell them apart.
function isoBmff(b: Uint8Array): string | undefined {
  if (!ascii(b, 4, "ftyp") || b.length < 12) return undefined;
  const boxSize = Math.min(((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0, b.length);
  const brands = [String.fromCharCode(...b.subarray(8, 12))];
  for (let at = 16; at + 4 <= boxSize; at += 4) brands.push(String.fromCharCode(...b.subarray(at, at + 4)));
  if (brands.some((x) => x === "avif" || x === "avis")) return "image/avif";
  if (brands.some((x) => ["heic", "heix", "hevc", "hevx", "heim", "heis"].includes(x))) return "image/heic";
  if (brands[0] === "mif1" || brands[0] === "msf1") return "image/heif";
  return "video/mp4";
}

/** The type the content's magic bytes identify, or undefined. */
export function sniffMime(b: Uint8Array): string | undefined {
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "image/jpeg";
  if (b[0] === 0x89 && ascii(b, 1, "PNG\r\n\x1a\n")) return "image/png";
  if (ascii(b, 0, "GIF87a") || ascii(b, 0, "GIF89a")) return "image/gif";
  if (ascii(b, 0, "RIFF") && ascii(b, 8, "WEBP")) return "image/webp";
  const bmff = isoBmff(b);
  if (bmff) return bmff;
  if (b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) {
    // EBML: WebM declares the "webm" DocType near the start; anything else is Matroska.
    return new TextDecoder("latin1").decode(b).includes("webm") ? "video/webm" : "video/x-matroska";
  }
  if (ascii(b, 0, "ID3")) return "audio/mpeg";
  // MPEG audio frame sync with layer III (ADTS AAC shares the sync but has layer bits 00).
  if (b[0] === 0xff && b[1] !== undefined && (b[1] & 0xe0) === 0xe0 && (b[1] & 0x06) === 0x02) return "audio/mpeg";
  if (ascii(b, 0, "OggS")) return "audio/ogg";
  if (ascii(b, 0, "%PDF-")) return "application/pdf";
  return undefined;
}

// RFC 9110 token characters on both sides of the slash; parameters were already stripped.
const MIME_SYNTAX = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/;

/** `declared` trimmed and lower-cased if it is a syntactically valid type, else undefined. */
export function usableMime(declared: string | undefined): string | undefined {
  const d = declared?.trim().toLowerCase();
  return d && d.length <= 255 && MIME_SYNTAX.test(d) ? d : undefined;
}

/** Recognised type wins; else the declared type if syntactically valid; else application/octet-stream. */
export function resolveMime(head: Uint8Array, declared: string | undefined): string {
  return sniffMime(head) ?? usableMime(declared) ?? "application/octet-stream";
}
