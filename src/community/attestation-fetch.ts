// GET of binary XRPC answers (a record-proof CAR) under the outbound fetch policy (02 §7): the host is vetted (every
// resolved address), the request goes to the vetted address with Host/SNI = the name, no redirects, a timeout, a cap.
import { isIP } from "node:net";
import { BODY_CAP, FetchRefusedError, type OutboundFetchPolicy } from "../identity/fetch-policy.ts";

export interface FetchedBytes {
  status: number;
  body: Uint8Array;
  contentType: string;
}

/** GET `<origin>/xrpc/<nsid>?<params>`. Throws FetchRefusedError (refused address/scheme, redirect, timeout, too large). */
export async function getXrpcBytes(
  policy: OutboundFetchPolicy,
  origin: string,
  nsid: string,
  params: Record<string, string>,
  opts: { maxBytes?: number; timeoutMs?: number } = {},
): Promise<FetchedBytes> {
  let url: URL;
  try {
    url = new URL(`/xrpc/${nsid}?${new URLSearchParams(params).toString()}`, origin);
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
  const maxBytes = opts.maxBytes ?? BODY_CAP;
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), opts.timeoutMs ?? 10_000);
  try {
    const res = await fetch(direct, {
      method: "GET",
      redirect: "manual",
      signal: ctrl.signal,
      headers: { Host: url.host, accept: "application/vnd.ipld.car, application/json" },
      ...(url.protocol === "https:" && isIP(host) === 0 ? { tls: { serverName: host } } : {}),
    });
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel();
      throw new FetchRefusedError("redirects are not followed");
    }
    const declared = Number(res.headers.get("content-length") ?? "NaN");
    if (Number.isFinite(declared) && declared > maxBytes) {
      await res.body?.cancel();
      throw new FetchRefusedError("response body too large");
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    if (res.body) {
      const reader = res.body.getReader();
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
    }
    const body = new Uint8Array(size);
    let off = 0;
    for (const c of chunks) {
      body.set(c, off);
      off += c.byteLength;
    }
    return { status: res.status, body, contentType: res.headers.get("content-type") ?? "" };
  } catch (err) {
    if (err instanceof FetchRefusedError) throw err;
    throw new FetchRefusedError(ctrl.signal.aborted ? "timed out" : "fetch failed");
  } finally {
    clearTimeout(timer);
  }
}
