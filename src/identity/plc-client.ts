// PlcClient: submit signed operations to PLC_URL and resolve did:plc documents (PLC_URL, then PLC_FALLBACK_URL), spec 02 §4-5.
import type { Logger } from "../util/logger.ts";
import { TtlLruCache } from "./ttl-cache.ts";

/** A did:plc operation or tombstone as JSON (signed). */
export type PlcOperation = Record<string, unknown> & { type: string; sig: string };

/** `GET <PLC_URL>/<did>/data`. */
export interface PlcDocumentData {
  did: string;
  rotationKeys: string[];
  verificationMethods: Record<string, string>;
  alsoKnownAs: string[];
  services: Record<string, { type: string; endpoint: string }>;
}

/** A W3C DID document as served by a PLC directory. */
export interface DidDocument {
  "@context"?: string[];
  id: string;
  alsoKnownAs?: string[];
  verificationMethod?: Array<{ id: string; type: string; controller: string; publicKeyMultibase?: string }>;
  service?: Array<{ id: string; type: string; serviceEndpoint: string | Record<string, unknown> }>;
}

/** The directory answered 4xx: the operation (or request) is invalid. Never retried. */
export class PlcRejectedError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "PlcRejectedError";
  }
}

/** Network failure, timeout or 5xx after all retries. */
export class PlcUnavailableError extends Error {
  constructor(message = "PLC directory unavailable") {
    super(message);
    this.name = "PlcUnavailableError";
  }
}

export interface PlcClientOptions {
  url: string;
  /** where DIDs not found at `url` are resolved; empty/undefined disables */
  fallbackUrl?: string;
  logger: Logger;
  /** per-attempt timeout (default 10 s) */
  timeoutMs?: number;
  /** delay before each retry; its length is the retry count (default 3 retries: 200 ms, 1 s, 3 s) */
  retryDelaysMs?: number[];
  /** resolution cache lifetimes (default 10 min for documents, 1 min for failures) */
  cacheTtlMs?: number;
  failureTtlMs?: number;
}

const DEFAULT_RETRY_DELAYS_MS = [200, 1000, 3000];
const CACHE_MAX = 10_000;

type Resolution = { doc: DidDocument } | { notFound: true } | { unavailable: true };

export class PlcClient {
  readonly url: string;
  readonly fallbackUrl: string | undefined;
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  private readonly retryDelaysMs: number[];
  private readonly cacheTtlMs: number;
  private readonly failureTtlMs: number;
  private readonly cache: TtlLruCache<string, Resolution>;

  constructor(opts: PlcClientOptions) {
    this.url = opts.url.replace(/\/+$/, "");
    const fallback = opts.fallbackUrl?.replace(/\/+$/, "");
    this.fallbackUrl = fallback && fallback !== this.url ? fallback : undefined;
    this.logger = opts.logger;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.retryDelaysMs = opts.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.cacheTtlMs = opts.cacheTtlMs ?? 10 * 60_000;
    this.failureTtlMs = opts.failureTtlMs ?? 60_000;
    this.cache = new TtlLruCache(CACHE_MAX, this.cacheTtlMs);
  }

  /** `POST <PLC_URL>/<did>`. Throws PlcRejectedError (4xx) or PlcUnavailableError. */
  async submit(did: string, op: PlcOperation): Promise<void> {
    const res = await this.request(`${this.url}/${encodeURIComponent(did)}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(op),
    });
    this.cache.delete(did);
    if (!res.ok) throw new PlcRejectedError(res.status, await errorMessage(res));
  }

  /** The newest operation in the DID's log (`/log/last`), or null when the directory does not know the DID. Never cached. */
  async getLastOp(did: string): Promise<PlcOperation | null> {
    return this.getJson<PlcOperation>(this.url, `${encodeURIComponent(did)}/log/last`);
  }

  /** The current PLC data (`/data`) from PLC_URL, or null when not found. Never cached: callers build operations on it. */
  async getDocumentData(did: string): Promise<PlcDocumentData | null> {
    return this.getJson<PlcDocumentData>(this.url, `${encodeURIComponent(did)}/data`);
  }

  /**
   * The DID document: PLC_URL first, then PLC_FALLBACK_URL when not found there. Cached 10 min (not-found and
   * unavailable results 1 min); `fresh` bypasses the cache (re-resolution after a failed signature check).
   * Returns null when no directory knows the DID; throws PlcUnavailableError when it could not be resolved.
   */
  async getDocument(did: string, opts: { fresh?: boolean } = {}): Promise<DidDocument | null> {
    let r = opts.fresh ? undefined : this.cache.get(did);
    if (!r) {
      r = await this.resolve(did);
      this.cache.set(did, r, "doc" in r ? this.cacheTtlMs : this.failureTtlMs);
    }
    if ("doc" in r) return r.doc;
    if ("notFound" in r) return null;
    throw new PlcUnavailableError();
  }

  private async resolve(did: string): Promise<Resolution> {
    const path = encodeURIComponent(did);
    try {
      const doc = (await this.getJson<DidDocument>(this.url, path)) ?? (this.fallbackUrl ? await this.getJson<DidDocument>(this.fallbackUrl, path) : null);
      return doc ? { doc } : { notFound: true };
    } catch (err) {
      // A 4xx other than 404/410 (bad DID syntax) means "cannot resolve" just like not found.
      if (err instanceof PlcRejectedError) return { notFound: true };
      return { unavailable: true };
    }
  }

  /** GET JSON; null on 404 or 410 (tombstoned / unknown DID). */
  private async getJson<T>(base: string, path: string): Promise<T | null> {
    const res = await this.request(`${base}/${path}`, { method: "GET", headers: { Accept: "application/json" } });
    if (res.status === 404 || res.status === 410) return null;
    if (!res.ok) throw new PlcRejectedError(res.status, await errorMessage(res));
    try {
      return (await res.json()) as T;
    } catch {
      throw new PlcUnavailableError("PLC directory sent an invalid response");
    }
  }

  /** One logical request: 10 s per attempt, retried on network errors and 5xx, never on 4xx. Returns the final non-5xx response. */
  private async request(url: string, init: RequestInit): Promise<Response> {
    const attempts = this.retryDelaysMs.length + 1;
    let lastProblem = "";
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await Bun.sleep(this.retryDelaysMs[attempt - 1]!);
      try {
        const res = await fetch(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs), redirect: "error" });
        if (res.status < 500) return res;
        lastProblem = `HTTP ${res.status}`;
        await res.body?.cancel().catch(() => {});
      } catch (err) {
        lastProblem = err instanceof Error ? err.name : "network error";
      }
      this.logger.warn("plc request failed", { method: init.method, url: stripQuery(url), attempt: attempt + 1, of: attempts, problem: lastProblem });
    }
    throw new PlcUnavailableError(`PLC directory unavailable (${lastProblem})`);
  }
}

const stripQuery = (url: string) => url.split("?")[0];

/** The directory's `{message}` (or text body), truncated; PLC servers answer errors as JSON `{message}`. */
async function errorMessage(res: Response): Promise<string> {
  const text = await res.text().catch(() => "");
  let msg = text;
  try {
    const body = JSON.parse(text) as { message?: unknown; error?: unknown };
    if (typeof body.message === "string") msg = body.message;
    else if (typeof body.error === "string") msg = body.error;
  } catch {
    // not JSON: keep the text
  }
  return sanitise(msg || `HTTP ${res.status}`);
}

/** Printable ASCII only, at most 200 characters: safe to put in an XRPC error message or a log line. */
export function sanitise(message: string): string {
  const clean = message.replace(/[^\x20-\x7e]+/g, " ").trim();
  return clean.length > 200 ? `${clean.slice(0, 197)}...` : clean;
}
