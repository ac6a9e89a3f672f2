// signPlcOperation (10 §5.3): the operation a holder asked for by mailed token, built on the DID's head with the given
// fields replaced and the rest copied, checked for shape, signed with the server's recovery key. Pure: no I/O.
import type { Keypair } from "@atproto/crypto";
import { DomainError } from "../errors.ts";
import { cidForOp } from "../../plc/ops/encoding.ts";
import { signPlcOp } from "./plc-sign.ts";
import { operationShapeProblem } from "./plc-ops.ts";
import type { PlcOperation } from "./plc-client.ts";
import { validateRotationKey } from "./service.ts";

export interface PlcFieldChanges {
  rotationKeys?: unknown;
  alsoKnownAs?: unknown;
  verificationMethods?: unknown;
  services?: unknown;
}

const bad = (message: string) => new DomainError("invalid", "InvalidRequest", message);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The shapes of 10 §5.3: 1-5 secp256k1/P-256 did:key rotation keys, ≤ 10 URIs, did:key methods, {type, endpoint} services. */
export function checkFieldShapes(f: PlcFieldChanges): void {
  if (f.rotationKeys !== undefined) {
    if (!Array.isArray(f.rotationKeys) || f.rotationKeys.length < 1 || f.rotationKeys.length > 5) throw bad("rotationKeys must hold 1 to 5 did:key values");
    if (new Set(f.rotationKeys).size !== f.rotationKeys.length) throw bad("rotationKeys must not repeat a key");
    for (const k of f.rotationKeys) {
      try {
        validateRotationKey(k as string);
      } catch {
        throw bad("rotationKeys must hold secp256k1 or P-256 did:key values");
      }
    }
  }
  if (f.alsoKnownAs !== undefined) {
    if (!Array.isArray(f.alsoKnownAs) || f.alsoKnownAs.length > 10) throw bad("alsoKnownAs must hold at most 10 URIs");
    for (const u of f.alsoKnownAs) if (typeof u !== "string" || u.length > 512 || !/^[a-z][a-z0-9+.-]*:\S+$/i.test(u)) throw bad("alsoKnownAs must hold URIs");
  }
  if (f.verificationMethods !== undefined) {
    if (!isObject(f.verificationMethods) || Object.keys(f.verificationMethods).length > 10) throw bad("verificationMethods must be an object of at most 10 did:key values");
    for (const v of Object.values(f.verificationMethods)) if (typeof v !== "string" || !v.startsWith("did:key:z") || v.length > 256) throw bad("verificationMethods must be an object of did:key values");
  }
  if (f.services !== undefined) {
    if (!isObject(f.services) || Object.keys(f.services).length > 10) throw bad("services must be an object of at most 10 {type, endpoint} entries");
    for (const s of Object.values(f.services)) {
      if (!isObject(s) || typeof s.type !== "string" || typeof s.endpoint !== "string" || Object.keys(s).length !== 2) throw bad("services must be an object of {type, endpoint} entries");
    }
  }
}

/**
 * `last` (the DID's head, a plc_operation) with the given fields replaced, prev = its CID, signed by `recovery`.
 * Refused when the DID is tombstoned or `recovery` is no longer one of its rotation keys (the directory would refuse it).
 */
export async function requestedOperation(last: PlcOperation | null, changes: PlcFieldChanges, recovery: Keypair): Promise<PlcOperation> {
  if (!last || last.type === "plc_tombstone") throw bad("Did is tombstoned");
  if (last.type !== "plc_operation") throw bad("The DID's last operation is not a plc_operation");
  checkFieldShapes(changes);
  const { sig: _sig, ...prevData } = last as PlcOperation & { rotationKeys: string[] };
  if (!prevData.rotationKeys.includes(recovery.did())) throw bad("This server's rotation key is no longer in rotationKeys");
  const next: Record<string, unknown> = { ...prevData, prev: cidForOp(last) };
  for (const k of ["rotationKeys", "alsoKnownAs", "verificationMethods", "services"] as const) if (changes[k] !== undefined) next[k] = changes[k];
  const op = (await signPlcOp(next, recovery)) as PlcOperation;
  const problem = operationShapeProblem(op);
  if (problem) throw bad(problem);
  return op;
}
