// Legacy `create` normalisation (§2): every op read as rotationKeys/verificationMethods/alsoKnownAs/services.
import type { AnyOp, LegacyCreate, OpData } from "./types.ts";

export function ensureHttpsPrefix(s: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(s) ? s : `https://${s}`;
}

export function ensureAtPrefix(handle: string): string {
  if (handle.startsWith("at://")) return handle;
  return "at://" + handle.replace(/^https?:\/\//, "");
}

export function normalizeCreate(op: LegacyCreate): OpData {
  return {
    rotationKeys: [op.recoveryKey, op.signingKey],
    verificationMethods: { atproto: op.signingKey },
    alsoKnownAs: [ensureAtPrefix(op.handle)],
    services: { atproto_pds: { type: "AtprotoPersonalDataServer", endpoint: ensureHttpsPrefix(op.service) } },
  };
}

/** Document data of an op, or null for a tombstone. */
export function opData(op: AnyOp): OpData | null {
  switch (op.type) {
    case "plc_tombstone":
      return null;
    case "create":
      return normalizeCreate(op);
    case "plc_operation":
      return {
        rotationKeys: op.rotationKeys,
        verificationMethods: op.verificationMethods,
        alsoKnownAs: op.alsoKnownAs,
        services: op.services,
      };
  }
}
