// Attestation claim limits (spec 05 §8): canonical JSON (keys sorted recursively, UTF-8) of at most 4096 bytes and a
// nesting depth of at most 5, the claim object itself being depth 1 (arrays count as a level like objects).
import { DomainError, invalidRequest } from "../errors.ts";

export const MAX_CLAIM_BYTES = 4096;
export const MAX_CLAIM_DEPTH = 5;

export const claimTooLarge = () => new DomainError("invalid", "ClaimTooLarge", `The claim exceeds ${MAX_CLAIM_BYTES} bytes of canonical JSON`);

/** JSON with every object's keys sorted, recursively (no whitespace). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function depthOf(value: unknown): number {
  if (Array.isArray(value)) return 1 + value.reduce((m: number, v) => Math.max(m, depthOf(v)), 0);
  if (value && typeof value === "object") return 1 + Object.values(value).reduce((m: number, v) => Math.max(m, depthOf(v)), 0);
  return 0;
}

/** Throws 400 InvalidRequest (not an object, too deep) or 400 ClaimTooLarge. */
export function checkClaim(claim: unknown): Record<string, unknown> {
  if (!claim || typeof claim !== "object" || Array.isArray(claim)) throw invalidRequest("claim must be a JSON object");
  if (depthOf(claim) > MAX_CLAIM_DEPTH) throw invalidRequest(`claim nesting depth must be at most ${MAX_CLAIM_DEPTH}`);
  if (new TextEncoder().encode(canonicalJson(claim)).byteLength > MAX_CLAIM_BYTES) throw claimTooLarge();
  return claim as Record<string, unknown>;
}
