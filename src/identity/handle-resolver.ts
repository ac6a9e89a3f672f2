// Handle → DID resolution (02 §6): local handles from the database; others via DNS TXT, then the HTTPS well-known.
import { Resolver } from "node:dns/promises";
import { ensureValidDid, isValidHandle } from "@atproto/syntax";
import type { DidDocument } from "./plc-client.ts";
import { FetchRefusedError, OutboundFetchPolicy, SMALL_BODY_CAP, type AddressLookup } from "./fetch-policy.ts";
import { TtlLruCache } from "./ttl-cache.ts";

export type TxtLookup = (name: string) => Promise<string[][]>;

export interface HandleResolverOptions {
  handleDomain: string;
  /** DID owning a handle under HANDLE_DOMAIN (status rule applied), undefined when none */
  resolveLocal: (handle: string) => Promise<string | undefined>;
  /** every fetch of `https://<handle>/.well-known/atproto-did` goes through this policy */
  policy: OutboundFetchPolicy;
  /** DID documents, for handleIsCorrect */
  getDidDocument: (did: string) => Promise<DidDocument | null>;
  /** DNS TXT lookup (default: node's resolver, 3 s, one try); `dnsServers` points the default at other servers */
  resolveTxt?: TxtLookup;
  dnsServers?: string[];
  /** per-step timeout (DNS and well-known; default 3 s) */
  stepTimeoutMs?: number;
  /** positive results (default 10 min); failures are cached 1 min */
  cacheTtlMs?: number;
  failureTtlMs?: number;
}

const CACHE_MAX = 10_000;

export class HandleResolver {
  private readonly opts: HandleResolverOptions;
  private readonly resolveTxt: TxtLookup;
  private readonly stepTimeoutMs: number;
  private readonly cache: TtlLruCache<string, string | null>;
  private readonly failureTtlMs: number;

  constructor(opts: HandleResolverOptions) {
    this.opts = opts;
    this.stepTimeoutMs = opts.stepTimeoutMs ?? 3_000;
    this.failureTtlMs = opts.failureTtlMs ?? 60_000;
    this.cache = new TtlLruCache(CACHE_MAX, opts.cacheTtlMs ?? 10 * 60_000);
    if (opts.resolveTxt) this.resolveTxt = opts.resolveTxt;
    else {
      const resolver = new Resolver({ timeout: this.stepTimeoutMs, tries: 1 });
      if (opts.dnsServers?.length) resolver.setServers(opts.dnsServers);
      this.resolveTxt = (name) => resolver.resolveTxt(name);
    }
  }

  /** True for `<name>.<HANDLE_DOMAIN>` (one label under the domain): answered from the database only. */
  isLocal(handle: string): boolean {
    const suffix = `.${this.opts.handleDomain.toLowerCase()}`;
    return handle.endsWith(suffix) && !handle.slice(0, -suffix.length).includes(".");
  }

  /**
   * The DID a handle resolves to, or null. Never throws for bad input or network trouble (the caller answers its
   * own "not found" error). `fresh` bypasses the cache (updateHandle: the user has just published the record).
   */
  async resolve(input: string, opts: { fresh?: boolean } = {}): Promise<string | null> {
    const handle = input.trim().toLowerCase().replace(/\.$/, "");
    if (!isValidHandle(handle)) return null;
    if (this.isLocal(handle)) return (await this.opts.resolveLocal(handle)) ?? null;
    if (!opts.fresh) {
      const hit = this.cache.get(handle);
      if (hit !== undefined) return hit;
    }
    const did = (await this.viaDns(handle)) ?? (await this.viaWellKnown(handle));
    this.cache.set(handle, did, did ? undefined : this.failureTtlMs);
    return did;
  }

  /** 02 §6: handle → DID resolves to `did` AND the DID document's first alsoKnownAs is `at://<handle>`. */
  async handleIsCorrect(did: string, handle: string): Promise<boolean> {
    if ((await this.resolve(handle)) !== did) return false;
    try {
      const doc = await this.opts.getDidDocument(did);
      return doc?.alsoKnownAs?.[0] === `at://${handle.toLowerCase()}`;
    } catch {
      return false;
    }
  }

  /** Drops a cached result (after this server changed the handle's owner). */
  forget(handle: string): void {
    this.cache.delete(handle.trim().toLowerCase());
  }

  private async viaDns(handle: string): Promise<string | null> {
    try {
      const records = await withTimeout(this.resolveTxt(`_atproto.${handle}`), this.stepTimeoutMs);
      return didFromTxt(records);
    } catch {
      return null;
    }
  }

  private async viaWellKnown(handle: string): Promise<string | null> {
    const attempt = async (scheme: string) => {
      const res = await this.opts.policy.fetchText(`${scheme}://${handle}/.well-known/atproto-did`, {
        maxBytes: SMALL_BODY_CAP,
        timeoutMs: this.stepTimeoutMs,
        accept: "text/plain",
      });
      return res.status === 200 ? validDid(res.body.split("\n")[0]!.trim()) : null;
    };
    try {
      return await attempt("https");
    } catch (err) {
      // With ALLOW_PRIVATE_NETWORK_FETCH (development) plain http is tried too, so a loopback server can answer.
      if (!this.opts.policy.allowPrivate || !(err instanceof FetchRefusedError)) return null;
      return attempt("http").catch(() => null);
    }
  }
}

/** TXT records of `_atproto.<handle>` → the DID when there is exactly one `did=` value and it is valid. */
export function didFromTxt(records: string[][]): string | null {
  const values = records.map((chunks) => chunks.join("")).filter((r) => r.startsWith("did="));
  if (values.length !== 1) return null;
  return validDid(values[0]!.slice("did=".length).trim());
}

/** A syntactically valid did:plc or did:web, else null. */
export function validDid(s: string): string | null {
  if (!s.startsWith("did:plc:") && !s.startsWith("did:web:")) return null;
  try {
    ensureValidDid(s);
    return s;
  } catch {
    return null;
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("timeout")), ms)))]).finally(() => clearTimeout(timer));
}

/**
 * The server's resolver from config. Development-only test hooks (ignored unless `config.dev`):
 * `OFPDS_DEV_DNS_SERVER=host:port` sends TXT and address lookups to that DNS server, and
 * `OFPDS_DEV_WELLKNOWN_PORT` connects well-known fetches to that port — so a suite can serve remote handles on loopback.
 */
export function buildHandleResolver(
  config: { handleDomain: string; allowPrivateNetworkFetch: boolean; devResolver: { dnsServer: string | undefined; wellKnownPort: number | undefined } },
  deps: Pick<HandleResolverOptions, "resolveLocal" | "getDidDocument">,
): { resolver: HandleResolver; policy: OutboundFetchPolicy } {
  // Both hooks are undefined unless the server runs with --dev (src/config/build.ts).
  const dnsServer = config.devResolver.dnsServer;
  const port = config.devResolver.wellKnownPort;
  let lookup: AddressLookup | undefined;
  if (dnsServer) {
    const r = new Resolver({ timeout: 3_000, tries: 1 });
    r.setServers([dnsServer]);
    lookup = async (host) => {
      const [a4, a6] = await Promise.all([r.resolve4(host).catch(() => []), r.resolve6(host).catch(() => [])]);
      return [...a4.map((address) => ({ address, family: 4 })), ...a6.map((address) => ({ address, family: 6 }))];
    };
  }
  const policy = new OutboundFetchPolicy({ allowPrivate: config.allowPrivateNetworkFetch, lookup, portOverride: port });
  const resolver = new HandleResolver({ handleDomain: config.handleDomain, policy, ...deps, ...(dnsServer ? { dnsServers: [dnsServer] } : {}) });
  return { resolver, policy };
}
