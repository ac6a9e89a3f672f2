// GET of a binary XRPC answer (a record-proof CAR) from another server, under the outbound fetch policy (02 §7).
import { BODY_CAP } from "../identity/fetch-policy.ts";
import { fetchXrpc, type FetchedBytes } from "../identity/xrpc-fetch.ts";
import type { OutboundFetchPolicy } from "../identity/fetch-policy.ts";

export type { FetchedBytes };

/** GET `<origin>/xrpc/<nsid>?<params>`. Throws FetchRefusedError (refused address/scheme, redirect, timeout, too large). */
export function getXrpcBytes(
  policy: OutboundFetchPolicy,
  origin: string,
  nsid: string,
  params: Record<string, string>,
  opts: { maxBytes?: number; timeoutMs?: number } = {},
): Promise<FetchedBytes> {
  return fetchXrpc(policy, origin, nsid, {
    method: "GET", params, accept: "application/vnd.ipld.car, application/json", maxBytes: opts.maxBytes ?? BODY_CAP, timeoutMs: opts.timeoutMs ?? 10_000,
  });
}
