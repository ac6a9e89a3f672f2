// Where a proxied request goes (10 §1.2): a configured shortcut, or the named service of a resolved DID document.
import { invalidRequest } from "../errors.ts";
import type { ProxyConfig } from "../config/types.ts";
import type { DidDocument } from "../identity/plc-client.ts";
import { TtlLruCache } from "../identity/ttl-cache.ts";
import { configuredShortcut } from "./routing.ts";

export interface ProxyTarget {
  did: string;
  serviceId: string;
  /** scheme://host[:port] of the service; only the origin of an endpoint is used */
  origin: string;
  /** true for an operator-configured URL (not address-checked); DID-document endpoints go through the fetch policy */
  trusted: boolean;
}

export interface TargetResolverDeps {
  proxy: ProxyConfig;
  /** ALLOW_PRIVATE_NETWORK_FETCH: http endpoints allowed */
  allowPrivate: boolean;
  /** did:plc documents (the PLC client, with its own 10 min / 1 min cache); null when unknown, throws when unavailable */
  plcDocument: (did: string) => Promise<DidDocument | null>;
  /** did:web documents through the fetch policy; null when missing or unreachable */
  webDocument: (did: string) => Promise<DidDocument | null>;
  now: () => number;
}

const DOC_TTL_MS = 10 * 60_000;
const FAILURE_TTL_MS = 60_000;

/** The `serviceEndpoint` of `#<serviceId>` (or `<did>#<serviceId>`), or undefined. */
export function serviceEndpointOf(doc: DidDocument, serviceId: string): string | undefined {
  const s = doc.service?.find((x) => x.id === `#${serviceId}` || x.id === `${doc.id}#${serviceId}`);
  return typeof s?.serviceEndpoint === "string" ? s.serviceEndpoint : undefined;
}

export class ProxyTargetResolver {
  // did:web results, cached as 02 §5 caches did:plc ones (documents 10 min, failures 1 min), on the server clock
  private readonly webCache: TtlLruCache<string, DidDocument | null>;

  constructor(private readonly deps: TargetResolverDeps) {
    this.webCache = new TtlLruCache(1_000, DOC_TTL_MS, deps.now);
  }

  async resolve(did: string, serviceId: string): Promise<ProxyTarget> {
    const shortcut = configuredShortcut(did, serviceId, this.deps.proxy);
    if (shortcut) return { did, serviceId, origin: shortcut.url, trusted: true };
    const doc = await this.document(did);
    if (!doc) throw invalidRequest("could not resolve proxy did");
    const endpoint = serviceEndpointOf(doc, serviceId);
    let url: URL | undefined;
    try {
      url = endpoint ? new URL(endpoint) : undefined;
    } catch {
      url = undefined;
    }
    const schemeOk = url && (url.protocol === "https:" || (url.protocol === "http:" && this.deps.allowPrivate));
    if (!url || !schemeOk || url.username || url.password) throw invalidRequest("could not resolve proxy did service url");
    return { did, serviceId, origin: url.origin, trusted: false };
  }

  private async document(did: string): Promise<DidDocument | null> {
    if (did.startsWith("did:plc:")) {
      try {
        return await this.deps.plcDocument(did);
      } catch {
        return null; // directory unavailable: the client cached the failure for a minute
      }
    }
    const hit = this.webCache.get(did);
    if (hit !== undefined) return hit;
    const doc = await this.deps.webDocument(did).catch(() => null);
    this.webCache.set(did, doc, doc ? DOC_TTL_MS : FAILURE_TTL_MS);
    return doc;
  }
}
