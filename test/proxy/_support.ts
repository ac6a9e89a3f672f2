// Test support for the proxy suites: fake REMOTE services on loopback (an AppView, chat, a labeler) that publish a
// did:web document and verify ofpds's service-auth JWT against the caller's DID document in the real PLC directory.
import { verifySignature } from "@atproto/crypto";

export interface Hit {
  method: string;
  path: string;
  /** the query string as received, `?` included */
  search: string;
  headers: Headers;
  body: Uint8Array;
}

export interface FakeService {
  did: string;
  url: string;
  port: number;
  /** XRPC requests received (the did.json fetches are not counted) */
  hits: Hit[];
  docFetches: () => number;
  stop(): void;
}

/** `answer` decides each XRPC response; `services` are the document's service entries (id without `#` → type). */
export function fakeService(services: Record<string, string>, answer: (hit: Hit) => Response | Promise<Response>): FakeService {
  const hits: Hit[] = [];
  let docFetches = 0;
  let did = "";
  let url = "";
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 60,
    fetch: async (req) => {
      const u = new URL(req.url);
      if (u.pathname === "/.well-known/did.json") {
        docFetches++;
        return Response.json({
          "@context": ["https://www.w3.org/ns/did/v1"],
          id: did,
          service: Object.entries(services).map(([id, type]) => ({ id: `#${id}`, type, serviceEndpoint: url })),
        });
      }
      const q = req.url.indexOf("?");
      const hit: Hit = { method: req.method, path: u.pathname, search: q === -1 ? "" : req.url.slice(q), headers: req.headers, body: new Uint8Array(await req.arrayBuffer()) };
      hits.push(hit);
      return answer(hit);
    },
  });
  did = `did:web:localhost%3A${server.port}`;
  url = `http://localhost:${server.port}`;
  return { did, url, port: server.port!, hits, docFetches: () => docFetches, stop: () => server.stop(true) };
}

export const decodePart = (t: string, i: number) => JSON.parse(Buffer.from(t.split(".")[i]!, "base64url").toString()) as Record<string, any>;

/**
 * What a real AppView does with our JWT: decode it, fetch the issuer's DID document from the PLC directory and check
 * the signature with its #atproto key. Returns header and claims; throws when the signature does not verify.
 */
export async function verifyServiceJwt(authorization: string | null, plcUrl: string): Promise<{ header: Record<string, any>; claims: Record<string, any> }> {
  const token = /^Bearer (.+)$/.exec(authorization ?? "")?.[1];
  if (!token) throw new Error("no bearer token");
  const header = decodePart(token, 0);
  const claims = decodePart(token, 1);
  const doc = (await (await fetch(`${plcUrl}/${claims.iss}`)).json()) as { verificationMethod: Array<{ id: string; publicKeyMultibase: string }> };
  const vm = doc.verificationMethod.find((m) => m.id.endsWith("#atproto"))!;
  const [h, p, s] = token.split(".") as [string, string, string];
  const valid = await verifySignature(`did:key:${vm.publicKeyMultibase}`, new TextEncoder().encode(`${h}.${p}`), Buffer.from(s, "base64url"), { jwtAlg: header.alg });
  if (!valid) throw new Error("service JWT signature does not verify against the issuer's DID document");
  return { header, claims };
}
