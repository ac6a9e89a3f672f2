// Opaque keyset cursors: base64url of "<sort time>|<tie-break key>"; anything else is an InvalidRequest.
import { invalidRequest } from "../errors.ts";

export const encodeCursor = (t: string, k: string): string => Buffer.from(`${t}|${k}`).toString("base64url");

export function decodeCursor(cursor: string): { t: string; k: string } {
  const raw = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, "base64url").toString("utf8") : "";
  const bar = raw.indexOf("|");
  const t = raw.slice(0, bar);
  if (bar < 0 || Number.isNaN(Date.parse(t)) || !raw.slice(bar + 1)) throw invalidRequest("Invalid cursor");
  return { t, k: raw.slice(bar + 1) };
}
