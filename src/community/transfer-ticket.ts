// The import ticket (04 §8): base64url JSON `{v:1, importId, endpoint, handle, signingKey, recoveryKey}` made by the
// destination's prepareImport and read by the source's transfer. `expiresAt` is an addition (see docs/communities.md):
// without it the source could not refuse an expired ticket.
import { parseDidKey } from "@atproto/crypto";
import { invalidRequest } from "../errors.ts";

export interface ImportTicket {
  v: 1;
  importId: string;
  endpoint: string;
  handle: string;
  signingKey: string;
  recoveryKey: string;
  expiresAt?: string;
}

export const encodeTicket = (t: ImportTicket): string => Buffer.from(JSON.stringify(t), "utf8").toString("base64url");

const HANDLE_RE = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Decodes and checks a ticket; 400 InvalidRequest for anything malformed, expired or pointing at a refused endpoint. */
export function decodeTicket(raw: string, opts: { allowPrivate: boolean; now: number }): ImportTicket {
  const bad = (why: string) => invalidRequest(`Invalid import ticket: ${why}`);
  if (typeof raw !== "string" || raw.length > 4096 || !/^[A-Za-z0-9_-]+$/.test(raw)) throw bad("not base64url");
  let t: Record<string, unknown>;
  try {
    t = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
  } catch {
    throw bad("not JSON");
  }
  if (!t || typeof t !== "object" || Array.isArray(t) || t.v !== 1) throw bad("unsupported version");
  for (const k of ["importId", "endpoint", "handle", "signingKey", "recoveryKey"] as const) {
    if (typeof t[k] !== "string" || !(t[k] as string).length || (t[k] as string).length > 512) throw bad(`${k} missing`);
  }
  let url: URL;
  try {
    url = new URL(t.endpoint as string);
  } catch {
    throw bad("endpoint is not a URL");
  }
  if (url.protocol !== "https:" && !(opts.allowPrivate && url.protocol === "http:")) throw bad("the destination must use https");
  if (url.pathname !== "/" || url.search || url.hash || url.username || url.password) throw bad("endpoint must be an origin");
  if (!HANDLE_RE.test(t.handle as string)) throw bad("handle is not a valid handle");
  for (const k of ["signingKey", "recoveryKey"] as const) {
    try {
      const alg = parseDidKey(t[k] as string).jwtAlg;
      if (alg !== "ES256K" && alg !== "ES256") throw new Error(alg);
    } catch {
      throw bad(`${k} is not a secp256k1 or P-256 did:key`);
    }
  }
  if (t.expiresAt !== undefined) {
    const at = typeof t.expiresAt === "string" ? Date.parse(t.expiresAt) : NaN;
    if (!Number.isFinite(at)) throw bad("expiresAt is not a date");
    if (at <= opts.now) throw bad("the ticket has expired; prepare the import again");
  }
  return {
    v: 1, importId: t.importId as string, endpoint: url.origin, handle: t.handle as string,
    signingKey: t.signingKey as string, recoveryKey: t.recoveryKey as string,
    ...(typeof t.expiresAt === "string" ? { expiresAt: t.expiresAt } : {}),
  };
}
