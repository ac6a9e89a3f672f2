// Strict operation schema (exact key sets, §2) and field limits (§3 step 4).
import { decodeDidKey } from "./didkey.ts";
import { parseRotationKey } from "./didkey.ts";
import { limitError, notValidOperation } from "./errors.ts";
import type { AnyOp, PlcOperation } from "./types.ts";

const OPERATION_KEYS = ["type", "rotationKeys", "verificationMethods", "alsoKnownAs", "services", "prev", "sig"];
const TOMBSTONE_KEYS = ["type", "prev", "sig"];
const CREATE_KEYS = ["type", "signingKey", "recoveryKey", "handle", "service", "prev", "sig"];
const SERVICE_KEYS = ["type", "endpoint"];

export const MAX_OP_CBOR_BYTES = 4000;
export const LIMITS = {
  rotationKeys: 10,
  verificationMethods: 10,
  vmIdLength: 32,
  vmValueLength: 256,
  alsoKnownAs: 10,
  akaLength: 258,
  services: 10,
  serviceIdLength: 32,
  serviceTypeLength: 256,
  serviceEndpointLength: 512,
} as const;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function checkKeys(obj: Record<string, unknown>, expected: readonly string[], what: string): void {
  const keys = Object.keys(obj);
  for (const k of keys) if (!expected.includes(k)) throw notValidOperation(`unexpected key ${JSON.stringify(k)} in ${what}`);
  for (const k of expected) if (!(k in obj)) throw notValidOperation(`missing key ${JSON.stringify(k)} in ${what}`);
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === "string");
}

function isStringRecord(v: unknown): v is Record<string, string> {
  return isPlainObject(v) && Object.values(v).every((x) => typeof x === "string");
}

/**
 * Assert the exact shape of an operation. `allowLegacyCreate` is true only when importing
 * recorded logs: `create` ops are readable and importable forever but never accepted on POST.
 */
export function assertOpSchema(op: unknown, allowLegacyCreate: boolean): asserts op is AnyOp {
  if (!isPlainObject(op)) throw notValidOperation("expected a JSON object");
  if (typeof op.sig !== "string") throw notValidOperation("sig must be a string");
  switch (op.type) {
    case "plc_operation": {
      checkKeys(op, OPERATION_KEYS, "plc_operation");
      if (!isStringArray(op.rotationKeys)) throw notValidOperation("rotationKeys must be an array of strings");
      if (!isStringRecord(op.verificationMethods))
        throw notValidOperation("verificationMethods must be an object of strings");
      if (!isStringArray(op.alsoKnownAs)) throw notValidOperation("alsoKnownAs must be an array of strings");
      if (!isPlainObject(op.services)) throw notValidOperation("services must be an object");
      for (const [id, svc] of Object.entries(op.services)) {
        if (!isPlainObject(svc)) throw notValidOperation(`service ${JSON.stringify(id)} must be an object`);
        checkKeys(svc, SERVICE_KEYS, `service ${JSON.stringify(id)}`);
        if (typeof svc.type !== "string" || typeof svc.endpoint !== "string")
          throw notValidOperation(`service ${JSON.stringify(id)} type and endpoint must be strings`);
      }
      if (op.prev !== null && typeof op.prev !== "string") throw notValidOperation("prev must be a string or null");
      return;
    }
    case "plc_tombstone":
      checkKeys(op, TOMBSTONE_KEYS, "plc_tombstone");
      if (typeof op.prev !== "string") throw notValidOperation("tombstone prev must be a string");
      return;
    case "create":
      if (!allowLegacyCreate) throw notValidOperation("legacy create operations are no longer accepted");
      checkKeys(op, CREATE_KEYS, "create");
      for (const k of ["signingKey", "recoveryKey", "handle", "service"])
        if (typeof op[k] !== "string") throw notValidOperation(`${k} must be a string`);
      if (op.prev !== null) throw notValidOperation("create prev must be null");
      return;
    default:
      throw notValidOperation("unknown type");
  }
}

/** Field limits for `plc_operation` (§3 step 4), checked in the spec's order. */
export function assertOpLimits(op: PlcOperation): void {
  if (op.rotationKeys.length > LIMITS.rotationKeys)
    throw limitError(`Too many rotationKeys entries (max ${LIMITS.rotationKeys})`);
  for (const key of op.rotationKeys) {
    if (!parseRotationKey(key)) throw limitError(`Invalid rotationKey: ${key}`);
  }

  const vms = Object.entries(op.verificationMethods);
  if (vms.length > LIMITS.verificationMethods)
    throw limitError(`Too many verificationMethods entries (max ${LIMITS.verificationMethods})`);
  for (const [id, key] of vms) {
    if (id.length > LIMITS.vmIdLength)
      throw limitError(`verificationMethods id too long (max ${LIMITS.vmIdLength}): ${id}`);
    if (key.length > LIMITS.vmValueLength)
      throw limitError(`verificationMethods value too long (max ${LIMITS.vmValueLength}): ${id}`);
    if (!decodeDidKey(key)) throw limitError(`Invalid verificationMethod key: ${key}`);
  }

  if (op.alsoKnownAs.length > LIMITS.alsoKnownAs)
    throw limitError(`Too many alsoKnownAs entries (max ${LIMITS.alsoKnownAs})`);
  const seen = new Set<string>();
  for (const aka of op.alsoKnownAs) {
    if (aka.length > LIMITS.akaLength) throw limitError(`alsoKnownAs entry too long (max ${LIMITS.akaLength}): ${aka}`);
    if (seen.has(aka)) throw limitError(`Duplicate alsoKnownAs entry: ${aka}`);
    seen.add(aka);
  }

  const services = Object.entries(op.services);
  if (services.length > LIMITS.services) throw limitError(`Too many services entries (max ${LIMITS.services})`);
  for (const [id, svc] of services) {
    if (id.length > LIMITS.serviceIdLength)
      throw limitError(`Service id too long (max ${LIMITS.serviceIdLength}): ${id}`);
    if (svc.type.length > LIMITS.serviceTypeLength)
      throw limitError(`Service type too long (max ${LIMITS.serviceTypeLength})`);
    if (svc.endpoint.length > LIMITS.serviceEndpointLength)
      throw limitError(`Service endpoint too long (max ${LIMITS.serviceEndpointLength})`);
  }
}
