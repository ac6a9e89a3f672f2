// Bounded request-body reading: Content-Length is checked up front, and streamed reads stop at the cap.
import { invalidRequest, payloadTooLarge } from "./errors.ts";

/** 256 KiB: the JSON body limit (spec 00 §9). */
export const JSON_BODY_MAX_BYTES = 256 * 1024;

/** Reject early when the declared Content-Length is over the cap (no body bytes read). */
export function checkContentLength(req: Request, maxBytes: number, tooLargeName?: string): void {
  const raw = req.headers.get("content-length");
  if (raw === null) return;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw invalidRequest("Invalid Content-Length");
  if (n > maxBytes) throw payloadTooLarge(`Request body exceeds ${maxBytes} bytes`, tooLargeName);
}

/** Read at most `maxBytes`; a longer body (e.g. chunked with no Content-Length) is cancelled → 413. */
export async function readBodyCapped(req: Request, maxBytes: number, tooLargeName?: string): Promise<Uint8Array> {
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw payloadTooLarge(`Request body exceeds ${maxBytes} bytes`, tooLargeName);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

/** The bare MIME type of a Content-Type header, lower-cased ("application/json; charset=utf-8" → "application/json"). */
export function mimeType(contentType: string | null): string | undefined {
  const t = contentType?.split(";")[0]?.trim().toLowerCase();
  return t || undefined;
}
