// DID document (§5) and /data shape, built from the latest live operation.
import { decodeDidKey, multikeyCurve } from "./didkey.ts";
import type { OpData } from "./types.ts";

const BASE_CONTEXT = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"];
const P256_CONTEXT = "https://w3id.org/security/suites/ecdsa-2019/v1";
const K256_CONTEXT = "https://w3id.org/security/suites/secp256k1-2019/v1";

export interface DidDocument {
  "@context": string[];
  id: string;
  alsoKnownAs: string[];
  verificationMethod: { id: string; type: "Multikey"; controller: string; publicKeyMultibase: string }[];
  service: { id: string; type: string; serviceEndpoint: string }[];
}

export function buildDidDocument(did: string, data: OpData): DidDocument {
  const context = [...BASE_CONTEXT];
  const verificationMethod: DidDocument["verificationMethod"] = [];
  for (const [id, key] of Object.entries(data.verificationMethods)) {
    const bytes = decodeDidKey(key);
    const curve = bytes ? multikeyCurve(bytes) : null;
    const extra = curve === "p256" ? P256_CONTEXT : curve === "secp256k1" ? K256_CONTEXT : null;
    if (extra && !context.includes(extra)) context.push(extra);
    verificationMethod.push({
      id: `${did}#${id}`,
      type: "Multikey",
      controller: did,
      publicKeyMultibase: key.startsWith("did:key:") ? key.slice("did:key:".length) : key,
    });
  }
  return {
    "@context": context,
    id: did,
    alsoKnownAs: data.alsoKnownAs,
    verificationMethod,
    service: Object.entries(data.services).map(([id, s]) => ({ id: `#${id}`, type: s.type, serviceEndpoint: s.endpoint })),
  };
}

export function buildDocumentData(did: string, data: OpData) {
  return {
    did,
    verificationMethods: data.verificationMethods,
    rotationKeys: data.rotationKeys,
    alsoKnownAs: data.alsoKnownAs,
    services: data.services,
  };
}
