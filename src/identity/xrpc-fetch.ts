// One XRPC call to another server under the outbound fetch policy (02 §7): the host is vetted (every resolved
// address) before any connection, the request goes to the vetted address with Host/SNI = the name, no redirects, a
// timeout and a body cap. The community transfer client and remote attestation verification both use it.
import { isIP } from "node:net";
import { FetchRefusedError, readBodyCapped, type OutboundFetchPolicy } from "./fetch-policy.ts";

export interface FetchedBytes {
  status: number;
  body: Uint8Array;
  contentType: string;
}

export interface XrpcFetchInit {
  method: "GET" | "POST";
  params?: Record<string, string>;
  /** POST only: sent as JSON (tokens travel in bodies, never in URLs) */
  json?: unknown;
  accept: string;
  maxBytes: number;
  timeoutMs: number;
}

/** Calls `<origin>/xrpc/<nsid>`. Throws FetchRefusedError (refused address/scheme, redirect, timeout, too large). */
export async function fetchXrpc(policy: OutboundFetchPolicy, origin: string, nsid: string, init: XrpcFetchInit): Promise<FetchedBytes> {
  let url: URL;
  try {
    const query = init.params ? `?${new URLSearchParams(init.params).toString()}` : "";
    url = new URL(`/xrpc/${nsid}${query}`, origin);
  } catch {
    throw new FetchRefusedError("invalid URL");
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && policy.allowPrivate)) throw new FetchRefusedError(`scheme ${url.protocol} not allowed`);
  if (url.username || url.password) throw new FetchRefusedError("credentials in URL");
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  // vetting happens before any connection: a private or loopback address is refused here in production
  const address = await policy.vetHost(host);
  const direct = new URL(url.toString());
  direct.hostname = isIP(address) === 6 ? `[${address}]` : address;
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), init.timeoutMs);
  try {
    const res = await fetch(direct, {
      method: init.method,
      redirect: "manual",
      signal: ctrl.signal,
      headers: { Host: url.host, accept: init.accept, ...(init.json !== undefined ? { "content-type": "application/json" } : {}) },
      ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
      ...(url.protocol === "https:" && isIP(host) === 0 ? { tls: { serverName: host } } : {}),
    });
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel();
      throw new FetchRefusedError("redirects are not followed");
    }
    return { status: res.status, body: await readBodyCapped(res, init.maxBytes), contentType: res.headers.get("content-type") ?? "" };
  } catch (err) {
    if (err instanceof FetchRefusedError) throw err;
    throw new FetchRefusedError(ctrl.signal.aborted ? "timed out" : "fetch failed");
  } finally {
    clearTimeout(timer);
  }
}
