// Destination → source calls of the transfer (04 §8) under the outbound fetch policy (02 §7): the target host is
// vetted (every address), the request goes to the vetted address with Host/SNI = the name, no redirects, timeouts and
// a body cap. Tokens travel in JSON bodies only.
import { isIP } from "node:net";
import { FetchRefusedError, type OutboundFetchPolicy } from "../identity/fetch-policy.ts";

export interface PostResult {
  status: number;
  body: Uint8Array;
  contentType: string;
}

/** POST `<origin>/xrpc/<nsid>` with a JSON body. Throws FetchRefusedError (refused, timed out, too large). */
export async function postXrpc(
  policy: OutboundFetchPolicy,
  origin: string,
  nsid: string,
  body: unknown,
  opts: { maxBytes: number; timeoutMs?: number },
): Promise<PostResult> {
  let url: URL;
  try {
    url = new URL(`/xrpc/${nsid}`, origin);
  } catch {
    throw new FetchRefusedError("invalid URL");
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && policy.allowPrivate)) throw new FetchRefusedError(`scheme ${url.protocol} not allowed`);
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const address = await policy.vetHost(host);
  const direct = new URL(url.toString());
  direct.hostname = isIP(address) === 6 ? `[${address}]` : address;
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), opts.timeoutMs ?? 30_000);
  try {
    const res = await fetch(direct, {
      method: "POST",
      redirect: "manual",
      signal: ctrl.signal,
      headers: { Host: url.host, "content-type": "application/json", accept: "*/*" },
      body: JSON.stringify(body),
      ...(url.protocol === "https:" && isIP(host) === 0 ? { tls: { serverName: host } } : {}),
    });
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel();
      throw new FetchRefusedError("redirects are not followed");
    }
    const declared = Number(res.headers.get("content-length") ?? "NaN");
    if (Number.isFinite(declared) && declared > opts.maxBytes) {
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
        if (size > opts.maxBytes) {
          await reader.cancel();
          throw new FetchRefusedError("response body too large");
        }
        chunks.push(value);
      }
    }
    const out = new Uint8Array(size);
    let off = 0;
    for (const c of chunks) {
      out.set(c, off);
      off += c.byteLength;
    }
    return { status: res.status, body: out, contentType: res.headers.get("content-type") ?? "" };
  } catch (err) {
    if (err instanceof FetchRefusedError) throw err;
    throw new FetchRefusedError(ctrl.signal.aborted ? "timed out" : "fetch failed");
  } finally {
    clearTimeout(timer);
  }
}

export function jsonOf(r: PostResult): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(new TextDecoder().decode(r.body));
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
