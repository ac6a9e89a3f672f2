// Test support: a plain XRPC caller (for our net.openfederation methods) and repo verification helpers.
import { expect } from "bun:test";
import { verifyRepoCar } from "@atproto/repo";

export interface XrpcReply<T = any> {
  status: number;
  body: T;
}

export async function xrpc<T = any>(url: string, nsid: string, opts: { token?: string; params?: Record<string, string | number>; body?: unknown } = {}): Promise<XrpcReply<T>> {
  const qs = opts.params ? "?" + new URLSearchParams(Object.entries(opts.params).map(([k, v]) => [k, String(v)])).toString() : "";
  const res = await fetch(`${url}/xrpc/${nsid}${qs}`, {
    method: opts.body === undefined ? "GET" : "POST",
    headers: {
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export async function ok<T = any>(p: Promise<XrpcReply<T>>): Promise<T> {
  const r = await p;
  if (r.status !== 200) throw new Error(`expected 200, got ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

/** The DID's signing key as the PLC directory publishes it. */
export async function plcSigningKey(plcUrl: string, did: string): Promise<string> {
  const data = (await (await fetch(`${plcUrl}/${did}/data`)).json()) as { verificationMethods: { atproto: string } };
  expect(data.verificationMethods.atproto).toStartWith("did:key:");
  return data.verificationMethods.atproto;
}

/** Downloads the repo CAR, verifies it against the PLC signing key, returns "collection/rkey" → cid. */
export async function verifiedRepoRecords(pdsUrl: string, plcUrl: string, did: string): Promise<Map<string, string>> {
  const res = await fetch(`${pdsUrl}/xrpc/com.atproto.sync.getRepo?did=${encodeURIComponent(did)}`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toStartWith("application/vnd.ipld.car");
  const car = new Uint8Array(await res.arrayBuffer());
  const verified = await verifyRepoCar(car, did, await plcSigningKey(plcUrl, did));
  return new Map(verified.creates.map((c) => [`${c.collection}/${c.rkey}`, c.cid.toString()]));
}

/** Every record listRecords returns for the given collections, as "collection/rkey" → cid. */
export async function listedRecords(pdsUrl: string, did: string, collections: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const collection of collections) {
    let cursor: string | undefined;
    do {
      const page = await ok<{ records: { uri: string; cid: string }[]; cursor?: string }>(
        xrpc(pdsUrl, "com.atproto.repo.listRecords", { params: { repo: did, collection, limit: 100, ...(cursor ? { cursor } : {}) } }),
      );
      for (const r of page.records) out.set(`${collection}/${r.uri.split("/").pop()}`, r.cid);
      cursor = page.cursor;
    } while (cursor);
  }
  return out;
}
