// Test support: a plain XRPC caller (for our net.openfederation methods) and repo verification helpers.
import { expect } from "bun:test";
import { verifyRepoCar } from "@atproto/repo";

export { call as xrpc, ok, type Reply as XrpcReply } from "../_support/xrpc.ts";
import { call as xrpc, ok } from "../_support/xrpc.ts";

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
