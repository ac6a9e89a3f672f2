// Outbound fetch policy (02 §7): the SSRF guard for every fetch whose target comes from user input or a DID document.
import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";

/** The target was refused or could not be fetched within the policy. Callers map it to their resolution error. */
export class FetchRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FetchRefusedError";
  }
}

export type AddressLookup = (host: string) => Promise<Array<{ address: string; family: number }>>;

export interface FetchPolicyOptions {
  /** ALLOW_PRIVATE_NETWORK_FETCH: http allowed and private/loopback targets allowed (development) */
  allowPrivate: boolean;
  /** host → addresses (default: `dns.lookup(host, { all: true })`) */
  lookup?: AddressLookup;
  /** ms until response headers (the connect budget; default 3 s) */
  connectTimeoutMs?: number;
  /** ms for the whole request including the body (default 10 s) */
  totalTimeoutMs?: number;
  /** test hook: connect to this port instead of the URL's (the name stays in Host/SNI) */
  portOverride?: number;
}

export const BODY_CAP = 1024 * 1024;
/** DID documents and well-knowns */
export const SMALL_BODY_CAP = 64 * 1024;

export class OutboundFetchPolicy {
  readonly allowPrivate: boolean;
  private readonly lookup: AddressLookup;
  private readonly connectTimeoutMs: number;
  private readonly totalTimeoutMs: number;
  private readonly portOverride: number | undefined;

  constructor(opts: FetchPolicyOptions) {
    this.allowPrivate = opts.allowPrivate;
    this.lookup = opts.lookup ?? ((host) => dnsLookup(host, { all: true, verbatim: true }));
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 3_000;
    this.totalTimeoutMs = opts.totalTimeoutMs ?? 10_000;
    this.portOverride = opts.portOverride;
  }

  /**
   * Vets the URL (scheme, name, every resolved address), then GETs it from the vetted address with Host/SNI = the
   * name, no redirects, timeouts and a body cap. Returns status and body text. Throws FetchRefusedError.
   */
  async fetchText(target: string, opts: { maxBytes?: number; timeoutMs?: number; accept?: string } = {}): Promise<{ status: number; body: string }> {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      throw new FetchRefusedError("invalid URL");
    }
    if (url.protocol !== "https:" && !(url.protocol === "http:" && this.allowPrivate)) throw new FetchRefusedError(`scheme ${url.protocol} not allowed`);
    if (url.username || url.password) throw new FetchRefusedError("credentials in URL");
    const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
    const address = await this.vetHost(host);

    const port = this.portOverride ?? (url.port ? Number(url.port) : undefined);
    const direct = new URL(url.toString());
    direct.hostname = isIP(address) === 6 ? `[${address}]` : address;
    if (port !== undefined) direct.port = String(port);

    const total = Math.min(opts.timeoutMs ?? this.totalTimeoutMs, this.totalTimeoutMs);
    const ctrl = new AbortController();
    const totalTimer = setTimeout(() => ctrl.abort(), total);
    // Bun's fetch has no separate connect timeout: the connect budget is "response headers within connectTimeoutMs".
    const connectTimer = setTimeout(() => ctrl.abort(), Math.min(this.connectTimeoutMs, total));
    try {
      const res = await fetch(direct, {
        method: "GET",
        redirect: "manual",
        signal: ctrl.signal,
        headers: { Host: url.host, Accept: opts.accept ?? "*/*" },
        ...(url.protocol === "https:" && isIP(host) === 0 ? { tls: { serverName: host } } : {}),
      });
      clearTimeout(connectTimer);
      if (res.status >= 300 && res.status < 400) {
        await res.body?.cancel();
        throw new FetchRefusedError("redirects are not followed");
      }
      const body = await readCapped(res, opts.maxBytes ?? BODY_CAP);
      return { status: res.status, body };
    } catch (err) {
      if (err instanceof FetchRefusedError) throw err;
      throw new FetchRefusedError(ctrl.signal.aborted ? "timed out" : "fetch failed");
    } finally {
      clearTimeout(totalTimer);
      clearTimeout(connectTimer);
    }
  }

  /**
   * Service proxying (10 §1.2-§1.5): vets the URL like fetchText (unless `trusted`: an operator-configured URL is
   * not address-checked, 10 §1.2), then sends `method` with `headers` and `body` to the vetted address, no
   * redirects (a 3xx is a refusal), and returns as soon as the response headers arrive (within `headersTimeoutMs`).
   * The body is left unread for the caller to stream; `abort()` cuts the connection (body idle or size limits).
   */
  async open(
    target: string,
    init: { method: "GET" | "POST"; headers: Record<string, string>; body?: Uint8Array; headersTimeoutMs: number; trusted?: boolean },
  ): Promise<{ res: Response; abort: () => void }> {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      throw new FetchRefusedError("invalid URL");
    }
    if (url.username || url.password) throw new FetchRefusedError("credentials in URL");
    let direct = url;
    const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
    if (!init.trusted) {
      if (url.protocol !== "https:" && !(url.protocol === "http:" && this.allowPrivate)) throw new FetchRefusedError(`scheme ${url.protocol} not allowed`);
      const address = await this.vetHost(host);
      direct = new URL(url.toString());
      direct.hostname = isIP(address) === 6 ? `[${address}]` : address;
    } else if (url.protocol !== "https:" && url.protocol !== "http:") throw new FetchRefusedError(`scheme ${url.protocol} not allowed`);
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), init.headersTimeoutMs);
    try {
      const res = await fetch(direct, {
        method: init.method,
        redirect: "manual",
        signal: ctrl.signal,
        // the body is relayed as sent (content-encoding included): never decoded on the way through
        decompress: false,
        headers: { ...init.headers, Host: url.host },
        ...(init.body ? { body: init.body } : {}),
        ...(direct !== url && url.protocol === "https:" && isIP(host) === 0 ? { tls: { serverName: host } } : {}),
      } as RequestInit);
      if (res.status >= 300 && res.status < 400) {
        await res.body?.cancel().catch(() => {});
        throw new FetchRefusedError("redirects are not followed");
      }
      return { res, abort: () => ctrl.abort() };
    } catch (err) {
      if (err instanceof FetchRefusedError) throw err;
      throw new FetchRefusedError(ctrl.signal.aborted ? "response headers timed out" : "fetch failed");
    } finally {
      clearTimeout(timer);
    }
  }

  /** Returns the address to connect to; throws when the name or ANY of its addresses is not allowed. */
  async vetHost(host: string): Promise<string> {
    if (!host) throw new FetchRefusedError("empty host");
    if (!this.allowPrivate && (host === "localhost" || host.endsWith(".localhost") || host === "localhost.")) {
      throw new FetchRefusedError("localhost is not allowed");
    }
    let addresses: string[];
    if (isIP(host)) addresses = [host];
    else {
      try {
        addresses = (await this.lookup(host)).map((a) => a.address);
      } catch {
        throw new FetchRefusedError("host did not resolve");
      }
    }
    if (addresses.length === 0) throw new FetchRefusedError("host did not resolve");
    if (!this.allowPrivate) {
      for (const a of addresses) {
        const why = forbiddenAddress(a);
        if (why) throw new FetchRefusedError(`address ${a} is ${why}`);
      }
    }
    return addresses[0]!;
  }
}

async function readCapped(res: Response, maxBytes: number): Promise<string> {
  return new TextDecoder().decode(await readBodyCapped(res, maxBytes));
}

/** The whole body, refused before reading when its declared length is over `maxBytes`, and as soon as it passes it (a declared length can lie). */
export async function readBodyCapped(res: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(res.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel();
    throw new FetchRefusedError("response body too large");
  }
  if (!res.body) return new Uint8Array(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new FetchRefusedError("response body too large");
    }
    chunks.push(value);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

// ---- address classification ----------------------------------------------------------------------------------

type V4Range = [base: number, bits: number, label: string];
const v4 = (s: string): number => s.split(".").reduce((acc, o) => (acc << 8) + Number(o), 0) >>> 0;
const V4_RANGES: V4Range[] = (
  [
    ["0.0.0.0", 8, "unspecified/this-network"],
    ["10.0.0.0", 8, "private"],
    ["100.64.0.0", 10, "CGNAT"],
    ["127.0.0.0", 8, "loopback"],
    ["169.254.0.0", 16, "link-local"],
    ["172.16.0.0", 12, "private"],
    ["192.0.0.0", 24, "reserved (IETF protocol assignments)"],
    ["192.0.2.0", 24, "documentation"],
    ["192.88.99.0", 24, "reserved (6to4 relay)"],
    ["192.168.0.0", 16, "private"],
    ["198.18.0.0", 15, "benchmark"],
    ["198.51.100.0", 24, "documentation"],
    ["203.0.113.0", 24, "documentation"],
    ["224.0.0.0", 4, "multicast"],
    ["240.0.0.0", 4, "reserved"], // includes 255.255.255.255 broadcast
  ] as const
).map(([b, bits, label]) => [v4(b), bits, label]);

function forbiddenV4(addr: string): string | undefined {
  const n = v4(addr);
  for (const [base, bits, label] of V4_RANGES) {
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    if (((n & mask) >>> 0) === base) return label;
  }
  return undefined;
}

/** Parses an IPv6 address into 8 16-bit groups (handles `::` and a trailing dotted IPv4). */
function v6Groups(addr: string): number[] | undefined {
  let a = addr.toLowerCase().split("%")[0]!;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (dotted) {
    const n = v4(dotted[1]!);
    a = a.slice(0, -dotted[1]!.length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = a.split("::") as [string, string | undefined];
  const h = head ? head.split(":") : [];
  const t = tail !== undefined && tail ? tail.split(":") : [];
  const fill = a.includes("::") ? 8 - h.length - t.length : 0;
  const groups = [...h, ...Array(fill).fill("0"), ...t].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

function forbiddenV6(addr: string): string | undefined {
  const g = v6Groups(addr);
  if (!g) return "not a valid address";
  const embeddedV4 = () => `${g[6]! >> 8}.${g[6]! & 0xff}.${g[7]! >> 8}.${g[7]! & 0xff}`;
  if (g.every((x) => x === 0)) return "unspecified";
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return "loopback";
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d): judge the embedded IPv4 address.
  if (g.slice(0, 5).every((x) => x === 0) && (g[5] === 0xffff || g[5] === 0)) {
    return forbiddenV4(embeddedV4()) ? `IPv4-mapped ${forbiddenV4(embeddedV4())}` : undefined;
  }
  // NAT64 well-known prefix 64:ff9b::/96 embeds an IPv4 address too.
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) {
    return forbiddenV4(embeddedV4()) ? `NAT64 ${forbiddenV4(embeddedV4())}` : undefined;
  }
  if ((g[0]! & 0xfe00) === 0xfc00) return "private (unique local)";
  if ((g[0]! & 0xffc0) === 0xfe80) return "link-local";
  if ((g[0]! & 0xffc0) === 0xfec0) return "reserved (site-local)";
  if ((g[0]! & 0xff00) === 0xff00) return "multicast";
  if (g[0] === 0x2001 && g[1] === 0x0db8) return "documentation";
  if (g[0] === 0x3fff && (g[1]! & 0xf000) === 0) return "documentation";
  if (g[0] === 0x2001 && (g[1]! & 0xfe00) === 0) return "reserved (IETF protocol assignments)"; // 2001::/23 incl. Teredo, benchmark 2001:2::/48
  if (g[0] === 0x2002) return "reserved (6to4)";
  if (g[0] === 0x0100 && g.slice(1, 4).every((x) => x === 0)) return "reserved (discard-only)";
  if ((g[0]! & 0xe000) !== 0x2000) return "reserved (outside global unicast)";
  return undefined;
}

/** Why an address may not be fetched, or undefined when it is a public unicast address. */
export function forbiddenAddress(addr: string): string | undefined {
  const kind = isIP(addr);
  if (kind === 4) return forbiddenV4(addr);
  if (kind === 6) return forbiddenV6(addr);
  return "not an IP address";
}
