// Destination → source calls of the transfer (04 §8) under the outbound fetch policy (02 §7): the target host is
// vetted (every address), the request goes to the vetted address with Host/SNI = the name, no redirects, timeouts and
// a body cap. Tokens travel in JSON bodies only.
import { fetchXrpc, type FetchedBytes } from "../identity/xrpc-fetch.ts";
import type { OutboundFetchPolicy } from "../identity/fetch-policy.ts";

export type PostResult = FetchedBytes;

/** POST `<origin>/xrpc/<nsid>` with a JSON body. Throws FetchRefusedError (refused, timed out, too large). */
export function postXrpc(
  policy: OutboundFetchPolicy,
  origin: string,
  nsid: string,
  body: unknown,
  opts: { maxBytes: number; timeoutMs?: number },
): Promise<PostResult> {
  return fetchXrpc(policy, origin, nsid, { method: "POST", json: body, accept: "*/*", maxBytes: opts.maxBytes, timeoutMs: opts.timeoutMs ?? 30_000 });
}

export function jsonOf(r: PostResult): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(new TextDecoder().decode(r.body));
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
