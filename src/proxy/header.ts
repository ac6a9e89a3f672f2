// The `atproto-proxy` header (10 §1.2): `<did>#<serviceId>`, parsed with the reference PDS's messages.
import { invalidRequest } from "../errors.ts";

export interface ProxyHeader {
  did: string;
  serviceId: string;
}

const DID_RE = /^did:(plc:[a-z2-7]{24}|web:[A-Za-z0-9._:%-]+)$/;

/** Throws 400 InvalidRequest with the §1.2 message for every malformed value. */
export function parseProxyHeader(value: string): ProxyHeader {
  if (/\s/.test(value)) throw invalidRequest("proxy header cannot contain spaces");
  const hash = value.indexOf("#");
  if (hash === 0) throw invalidRequest("no did specified in proxy header");
  if (hash === -1 || hash === value.length - 1) throw invalidRequest("no service id specified in proxy header");
  if (value.indexOf("#", hash + 1) !== -1) throw invalidRequest("invalid proxy header format");
  const did = value.slice(0, hash);
  const serviceId = value.slice(hash + 1);
  if (!DID_RE.test(did)) throw invalidRequest("invalid proxy header format");
  return { did, serviceId };
}
