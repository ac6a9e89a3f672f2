// GET /sdk/v1.js (spec 08 §5): the SDK's IIFE, embedded at build time, with a strong ETag and 304 revalidation.
import { createHash } from "node:crypto";
import { sdkIife } from "../../sdk/embed.ts" with { type: "macro" };

export const SDK_PATH = "/sdk/v1.js";
export const SDK_JS: string = sdkIife();
/** Strong validator: the quoted SHA-256 (base64url) of the exact bytes served. */
export const SDK_ETAG = `"${createHash("sha256").update(SDK_JS).digest("base64url")}"`;

const HEADERS = { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "public, max-age=300", ETag: SDK_ETAG };

/** RFC 9110 §13.1.2: `*`, or any listed tag equal to ours under the weak comparison (a `W/` prefix is ignored). */
export function etagMatches(ifNoneMatch: string | null, etag: string = SDK_ETAG): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(",").some((t) => {
    const tag = t.trim();
    return tag === "*" || tag.replace(/^W\//, "") === etag;
  });
}

export function sdkResponse(ifNoneMatch: string | null): Response {
  if (etagMatches(ifNoneMatch)) return new Response(null, { status: 304, headers: HEADERS });
  return new Response(SDK_JS, { status: 200, headers: HEADERS });
}
