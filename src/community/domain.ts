// did:web community domains (spec 02 §10): the domain rules and the DID document to publish.
import { DID_CONTEXT } from "../identity/service.ts";

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Lower-cased domain, or a reason it is refused (→ 400 InvalidDomain). Local-handle clashes are checked by the caller. */
export function checkDomain(input: string, hostname: string): { domain: string } | { problem: string } {
  const domain = input.toLowerCase();
  if (domain.length < 4 || domain.length > 253) return { problem: "Domain must be 4–253 characters" };
  if (/[/:@#?\\\s]/.test(domain)) return { problem: "Domain must not contain / : @ # ? \\ or whitespace" };
  const labels = domain.split(".");
  if (labels.length < 2) return { problem: "Domain must contain at least one dot" };
  if (!labels.every((l) => LABEL.test(l))) return { problem: "Each domain label must be 1–63 characters of a-z, 0-9 and inner hyphens" };
  if (/^\d+(\.\d+){3}$/.test(domain)) return { problem: "Domain must not be an IP address" };
  if (/^\d+$/.test(labels[labels.length - 1]!)) return { problem: "The top-level domain must not be numeric" };
  if (domain === hostname.toLowerCase()) return { problem: "Domain must not be this server's hostname" };
  return { domain };
}

/** The document to publish at https://<domain>/.well-known/did.json (02 §9 shape, id = did:web:<domain>). */
export function webDidDocument(did: string, handle: string, signingDidKey: string, serviceUrl: string) {
  return {
    "@context": DID_CONTEXT,
    id: did,
    alsoKnownAs: [`at://${handle}`],
    verificationMethod: [{ id: `${did}#atproto`, type: "Multikey", controller: did, publicKeyMultibase: signingDidKey.slice("did:key:".length) }],
    service: [{ id: "#atproto_pds", type: "AtprotoPersonalDataServer", serviceEndpoint: serviceUrl }],
  };
}

export const publishInstructions = (domain: string, hostname: string) =>
  `Publish this DID document at https://${domain}/.well-known/did.json (or point ${domain} at ${hostname}, which then serves it). ` +
  "The community emits no firehose events until the published document matches.";

export const removeInstructions = (domain: string) =>
  `Remove the DID document published at https://${domain}/.well-known/did.json: this server no longer hosts the community.`;
